/**
 * /admin/system: is Hivepost keeping up? Deliveries waiting by lane and
 * state, stranded deliveries, the last run of each cron job, and each
 * operational endpoint with its recent messages.
 */

import type { CronJob } from "../../db/cronRuns";
import { iso } from "../../lib/time";
import type { SystemReport } from "../../reports/system";
import { Badge, Time } from "./components";
import { type Chrome, Layout } from "./layout";

const JOBS = {
	sweep: "Sweep (stranded deliveries, auto-disable)",
	retention: "Retention (old history)",
} as const satisfies Record<CronJob, string>;

function Runs({ runs }: { runs: SystemReport["runs"] }) {
	if (!runs.length) return <p class="muted">The cron has not run yet (it runs every minute once deployed).</p>;
	return (
		<table>
			<thead>
				<tr>
					<th scope="col">Job</th>
					<th scope="col">Last run</th>
					<th scope="col">Took</th>
					<th scope="col">Result</th>
				</tr>
			</thead>
			<tbody>
				{runs.map((run) => (
					<tr>
						<td>{JOBS[run.job as keyof typeof JOBS] ?? run.job}</td>
						<td>
							<Time at={iso(run.startedAt)} />
						</td>
						<td>{run.durationMs} ms</td>
						<td>
							{Object.entries(JSON.parse(run.result) as Record<string, unknown>)
								.map(([what, value]) => `${what.replaceAll("_", " ")} ${value}`)
								.join(" · ")}
						</td>
					</tr>
				))}
			</tbody>
		</table>
	);
}

function OperationalEndpoints({ operational }: { operational: SystemReport["operational"] }) {
	if (!operational.length) {
		return <p class="muted">None: register one with POST /api/operational-endpoints to be told when endpoints fail.</p>;
	}
	return (
		<>
			{operational.map(({ endpoint, messages }) => (
				<article>
					<h3>
						<code>{endpoint.url}</code> {endpoint.enabled ? <Badge kind="enabled">Enabled</Badge> : <Badge kind="disabled">Disabled</Badge>}
					</h3>
					{messages.length === 0 ? (
						<p class="muted">No messages yet.</p>
					) : (
						<table>
							<thead>
								<tr>
									<th scope="col">Message</th>
									<th scope="col">At</th>
									<th scope="col">Delivery</th>
								</tr>
							</thead>
							<tbody>
								{messages.map((message) => (
									<tr>
										<td>
											<code>{message.type}</code>
										</td>
										<td>
											<Time at={iso(message.at)} />
										</td>
										<td>
											<Badge kind={message.status}>{message.status}</Badge>{" "}
											<small>
												{message.attempts} attempt{message.attempts === 1 ? "" : "s"}
											</small>
										</td>
									</tr>
								))}
							</tbody>
						</table>
					)}
				</article>
			))}
		</>
	);
}

export function SystemPage({ chrome, report }: { chrome: Chrome; report: SystemReport }) {
	const total = report.waiting.reduce((sum, row) => sum + row.deliveries, 0);
	return (
		<Layout chrome={chrome}>
			<h1>System</h1>
			<section class="card" aria-labelledby="waiting">
				<h2 id="waiting">Deliveries waiting</h2>
				{total === 0 ? (
					<p>None: every delivery accepted has been made.</p>
				) : (
					<table>
						<thead>
							<tr>
								<th scope="col">Lane</th>
								<th scope="col">State</th>
								<th scope="col">Deliveries</th>
							</tr>
						</thead>
						<tbody>
							{report.waiting.map((row) => (
								<tr>
									<td>{row.lane}</td>
									<td>{row.status}</td>
									<td>{row.deliveries}</td>
								</tr>
							))}
						</tbody>
					</table>
				)}
				<p>
					{report.stranded === 0 ? (
						<Badge kind="working">None stranded</Badge>
					) : (
						<Badge kind="failing">{`${report.stranded} stranded`}</Badge>
					)}{" "}
					<small>(a stranded delivery is overdue and held by nobody: the sweep takes it up within a minute)</small>
				</p>
			</section>
			<section class="card" aria-labelledby="cron">
				<h2 id="cron">The cron</h2>
				<Runs runs={report.runs} />
			</section>
			<section class="card" aria-labelledby="operational">
				<h2 id="operational">Operational endpoints</h2>
				<OperationalEndpoints operational={report.operational} />
			</section>
		</Layout>
	);
}
