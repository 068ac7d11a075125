/** The sections of an endpoint's page about what it was sent: its recent attempts, and "Resend everything since …". */
import type { RecentAttempt } from "../../reports/recentAttempts";
import { Badge, CardNotice, Time } from "./components";
import type { Chrome } from "./layout";
import { AttemptResult } from "./results";

export function RecentAttemptsSection(props: { base: string; url: string; attempts: RecentAttempt[] }) {
	return (
		<section class="card" aria-labelledby="recent">
			<h2 id="recent">Recent attempts</h2>
			{props.attempts.length === 0 ? (
				<p class="muted">No attempts yet.</p>
			) : (
				<div class="table-wrap">
					<table class="stack attempts">
						<thead>
							<tr>
								<th scope="col">Started</th>
								<th scope="col">Result</th>
								<th scope="col" class="optional">
									Duration
								</th>
								<th scope="col" class="optional">
									Response
								</th>
							</tr>
						</thead>
						<tbody>
							{props.attempts.map((attempt) => (
								<tr>
									<td data-label="Started">
										<a href={`${props.base}/deliveries/${attempt.delivery_id}`}>
											<Time at={attempt.started_at} />
										</a>{" "}
										{attempt.manual && <Badge kind="test">manual</Badge>}
									</td>
									<td data-label="Result">
										<AttemptResult attempt={attempt} url={props.url} />
									</td>
									<td class="optional" data-label="Duration">
										{attempt.duration_ms} ms
									</td>
									<td class="optional" data-label="Response">
										{attempt.response_start ? <code class="snippet">{attempt.response_start}</code> : <span class="muted">—</span>}
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</section>
	);
}

/** "Resend everything since …": asks first with how many it would send, then sends (enabling the endpoint if it is disabled). */
export function ResendSection({ chrome, action, since }: { chrome: Chrome; action: string; since: string }) {
	return (
		<section class="card" aria-labelledby="resend">
			<h2 id="resend">Resend everything since …</h2>
			<CardNotice chrome={chrome} card="resend" />
			<p>
				After fixing the receiver: every delivery since then that failed, is retrying or was cancelled starts over at once (its history is
				kept), and every event it missed is sent. Nothing is sent twice. You see how many first.
			</p>
			<form method="post" action={`${action}#resend`} class="row">
				<label for="since">Since (UTC)</label>
				<input id="since" name="since" type="datetime-local" value={since} required />
				<button type="submit">Resend everything since …</button>
			</form>
		</section>
	);
}
