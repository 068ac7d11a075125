/** …/deliveries/:id: one delivery, its event payload, every attempt, and Retry now. */
import type { DeliveryDetail } from "../../reports/reportResponses";
import { ActionButton, Badge, Time } from "./components";
import { type Chrome, Layout } from "./layout";

/** The payload pretty-printed when it is JSON (it always should be), else as received. */
export function prettyJson(text: string): string {
	try {
		return JSON.stringify(JSON.parse(text), null, 2);
	} catch {
		return text;
	}
}

function Attempts({ attempts }: { attempts: DeliveryDetail["attempts"] }) {
	if (attempts.length === 0) return <p class="muted">No attempts yet: the first one is on its way.</p>;
	return (
		<div class="table-wrap">
			<table class="stack attempts">
				<thead>
					<tr>
						<th scope="col">Attempt</th>
						<th scope="col">Started</th>
						<th scope="col">Duration</th>
						<th scope="col">Result</th>
						<th scope="col">Response</th>
					</tr>
				</thead>
				<tbody>
					{attempts.map((attempt) => (
						<tr>
							<td data-label="Attempt">{attempt.manual ? <Badge kind="test">manual</Badge> : `#${attempt.number}`}</td>
							<td data-label="Started">
								<Time at={attempt.started_at} />
							</td>
							<td data-label="Duration">{attempt.duration_ms} ms</td>
							<td data-label="Result">
								<Badge kind={attempt.succeeded ? "delivered" : "failed"}>{attempt.status_code ?? "no response"}</Badge>
								{attempt.error && (
									<div>
										<small>{attempt.error}</small>
									</div>
								)}
							</td>
							<td data-label="Response">{attempt.response_body ? <pre>{attempt.response_body}</pre> : <span class="muted">—</span>}</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

export function DeliveryPage(props: { chrome: Chrome; delivery: DeliveryDetail; payload: string; readOnly: boolean }) {
	const { delivery } = props;
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<p>
				<a href={`${base}/deliveries`}>← Deliveries</a>
			</p>
			<h1>
				<code>{delivery.action_type}</code> → {delivery.endpoint_url}
			</h1>
			<section class="card">
				<dl class="facts">
					<dt>Status</dt>
					<dd>
						<Badge kind={delivery.status} /> {delivery.test && <Badge kind="test">test event</Badge>}
					</dd>
					<dt>Automatic attempts</dt>
					<dd>{delivery.attempt_count}</dd>
					<dt>Next retry</dt>
					<dd>
						<Time at={delivery.next_attempt_at} />
					</dd>
					<dt>Created</dt>
					<dd>
						<Time at={delivery.created_at} />
					</dd>
					<dt>Delivery id</dt>
					<dd>
						<code>{delivery.id}</code>
					</dd>
					<dt>Event id (webhook-id)</dt>
					<dd>
						<a href={`${base}/events/${delivery.event_id}`}>
							<code>{delivery.event_id}</code>
						</a>
					</dd>
				</dl>
				<div class="row">
					{delivery.endpoint_deleted ? (
						<small class="muted">Its endpoint was deleted, so it cannot be retried.</small>
					) : delivery.status === "cancelled" ? (
						<small class="muted">It was cancelled (its endpoint was disabled or deleted at the time), so it is not retried.</small>
					) : (
						!props.readOnly && (
							<>
								<ActionButton action={`${base}/deliveries/${delivery.id}/retry`} label="Retry now" kind="primary" />
								<small>One immediate manual attempt; it does not use up an automatic retry.</small>
							</>
						)
					)}
				</div>
			</section>
			<section class="card" aria-labelledby="attempts">
				<h2 id="attempts">Attempts</h2>
				<Attempts attempts={delivery.attempts} />
			</section>
			<section class="card" aria-labelledby="payload">
				<h2 id="payload">Event payload</h2>
				<pre>{prettyJson(props.payload)}</pre>
			</section>
		</Layout>
	);
}
