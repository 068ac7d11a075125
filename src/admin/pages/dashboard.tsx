/**
 * /admin: the overview, SupportBee's "Web Hooks" box (Update App) and the
 * endpoints table with each endpoint's health.
 */
import type { EndpointView } from "../endpointStore";
import type { EndpointHealth, Stats } from "../stats";
import { ActionButton, Badge, percent, Time } from "./components";
import { type Chrome, Layout } from "./layout";
import { Overview } from "./overview";

export interface WebHooksBox {
	/** What the box holds: the registered URLs, or what the admin typed when it was refused. */
	text: string;
	/** Field → problem, from a refused Update App. */
	problems?: Record<string, string>;
}

function eventsSummary(events: string[]): string {
	return events.includes("*") ? "All events" : `${events.length} event type${events.length === 1 ? "" : "s"}`;
}

/** "97.5% ok of 40 attempts (24 h)", or that there were none. */
export function successSummary(health: EndpointHealth): string {
	return health.attempts_24h ? `${percent(health.success_rate_24h)} ok of ${health.attempts_24h} attempts (24 h)` : "No attempts in 24 h";
}

function Health({ health }: { health: EndpointHealth }) {
	return (
		<div>
			{health.last_attempt_at ? (
				<div>
					<Badge kind={health.last_succeeded ? "delivered" : "failed"}>{health.last_status_code ?? "error"}</Badge>{" "}
					<Time at={health.last_attempt_at} />
				</div>
			) : (
				<span class="muted">No attempts yet</span>
			)}
			<div>
				<small>
					{successSummary(health)} · {health.retrying} retrying · {health.failed} failed
				</small>
			</div>
		</div>
	);
}

export function EndpointsTable({ endpoints, health }: { endpoints: EndpointView[]; health: Stats["health"] }) {
	if (endpoints.length === 0) {
		return <p class="muted">No endpoints yet: paste URLs above and press Update App.</p>;
	}
	return (
		<div class="table-wrap">
			<table class="stack">
				<thead>
					<tr>
						<th>URL</th>
						<th>Status</th>
						<th class="optional">Events</th>
						<th>Health</th>
						<th />
					</tr>
				</thead>
				<tbody>
					{endpoints.map((endpoint) => (
						<tr>
							<td class="url">
								<a href={`/admin/endpoints/${endpoint.id}`}>{endpoint.url}</a>
							</td>
							<td>
								<Badge kind={endpoint.enabled ? "enabled" : "disabled"} />
								{endpoint.disabled_reason && (
									<div>
										<small>{endpoint.disabled_reason}</small>
									</div>
								)}
							</td>
							<td class="optional">{eventsSummary(endpoint.events)}</td>
							<td>
								<Health health={health(endpoint.id)} />
							</td>
							<td>
								<div class="row">
									<ActionButton
										action={`/admin/endpoints/${endpoint.id}/toggle`}
										label={endpoint.enabled ? "Disable" : "Enable"}
										fields={{ enabled: endpoint.enabled ? "false" : "true" }}
									/>
									<a href={`/admin/endpoints/${endpoint.id}`}>Manage</a>
								</div>
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

export function Dashboard(props: { chrome: Chrome; endpoints: EndpointView[]; stats: Stats; box: WebHooksBox }) {
	const { box } = props;
	return (
		<Layout chrome={props.chrome}>
			<Overview stats={props.stats} />
			<section class="card" aria-labelledby="web-hooks">
				<h2 id="web-hooks">Web Hooks</h2>
				<form method="post" action="/admin/webhooks">
					<label for="urls">
						<small>
							URLs that receive every ticket event, separated by commas. Update App adds the new ones, keeps the unchanged ones (with their
							secrets) and deletes the removed ones.
						</small>
					</label>
					<textarea id="urls" name="urls" placeholder="https://example.com/hooks/supportbee, https://other.example/hook">
						{box.text}
					</textarea>
					{box.problems && (
						<ul class="error">
							{Object.values(box.problems).map((problem) => (
								<li>{problem}</li>
							))}
						</ul>
					)}
					<div class="row">
						<button type="submit" class="primary">
							Update App
						</button>
					</div>
				</form>
			</section>
			<section class="card" aria-labelledby="endpoints">
				<h2 id="endpoints">Endpoints</h2>
				<EndpointsTable endpoints={props.endpoints} health={props.stats.health} />
			</section>
		</Layout>
	);
}
