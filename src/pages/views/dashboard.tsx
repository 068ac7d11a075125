/**
 * An account's home: the overview, SupportBee's "Web Hooks" box (Update App)
 * and the endpoints table with each endpoint's health and delivery state.
 */
import type { EndpointView } from "../../endpoints/endpointResponses";
import type { Stats } from "../../reports/accountStats";
import type { EndpointHealth } from "../../reports/reportResponses";
import { ActionButton, Badge, DeliveryStateSummary, FieldError, invalidProps, percent, Time } from "./components";
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

/** "attempts ok: 97.5% of 40 (24 h)", or that there were none: a share of attempts, never of deliveries. */
export function attemptsSummary(health: EndpointHealth): string {
	return health.attempts_24h
		? `attempts ok: ${percent(health.attempts_ok_rate_24h)} of ${health.attempts_24h} (24 h)`
		: "no attempts in the last 24 h";
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
					{attemptsSummary(health)} · {health.retrying} retrying · {health.failed_24h} failed (24 h)
				</small>
			</div>
		</div>
	);
}

function EndpointsTable(props: {
	base: string;
	endpoints: EndpointView[];
	health: ReadonlyMap<string, EndpointHealth>;
	readOnly: boolean;
}) {
	const { base, endpoints } = props;
	if (endpoints.length === 0) {
		return <p class="muted">{props.readOnly ? "No endpoints yet." : "No endpoints yet: paste URLs above and press Update App."}</p>;
	}
	return (
		<div class="table-wrap">
			<table class="stack endpoints">
				<thead>
					<tr>
						<th scope="col">URL</th>
						<th scope="col">Status</th>
						<th scope="col" class="optional">
							Events
						</th>
						<th scope="col">Health</th>
						<th scope="col">
							<span class="visually-hidden">Actions</span>
						</th>
					</tr>
				</thead>
				<tbody>
					{endpoints.map((endpoint) => (
						<tr>
							<td class="url" data-label="URL">
								<a href={`${base}/endpoints/${endpoint.id}`}>{endpoint.url}</a>
							</td>
							<td data-label="Status">
								<Badge kind={endpoint.enabled ? "enabled" : "disabled"} />
								{endpoint.disabled_reason && (
									<div>
										<small>{endpoint.disabled_reason}</small>
									</div>
								)}
								<DeliveryStateSummary state={endpoint.delivery_state} />
							</td>
							<td class="optional" data-label="Events">
								{eventsSummary(endpoint.events)}
							</td>
							<td data-label="Health">
								<Health health={props.health.get(endpoint.id) as EndpointHealth} />
							</td>
							<td>
								<div class="row">
									{!props.readOnly && (
										<ActionButton
											action={`${base}/endpoints/${endpoint.id}/toggle`}
											label={endpoint.enabled ? "Disable" : "Enable"}
											name={`${endpoint.enabled ? "Disable" : "Enable"} ${endpoint.url}`}
											fields={{ enabled: endpoint.enabled ? "false" : "true" }}
										/>
									)}
									<a href={`${base}/endpoints/${endpoint.id}`} aria-label={`${props.readOnly ? "View" : "Manage"} ${endpoint.url}`}>
										{props.readOnly ? "View" : "Manage"}
									</a>
								</div>
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

function WebHooksForm({ base, box }: { base: string; box: WebHooksBox }) {
	const problem = box.problems && Object.values(box.problems).join(" ");
	return (
		<form method="post" action={`${base}/webhooks`}>
			<label for="urls">URLs that receive every ticket event</label>
			<p id="urls-hint">
				<small>
					Separate them with commas, spaces, new lines or semicolons (a comma inside a URL, as in <code>?ids=1,2</code>, stays part of it).
					Update App adds the new ones, keeps the unchanged ones (with their secrets) and asks before deleting the removed ones.
				</small>
			</p>
			<textarea
				id="urls"
				name="urls"
				placeholder="https://example.com/hooks/supportbee, https://other.example/hook"
				{...invalidProps("urls", problem)}
				aria-describedby={problem ? "urls-error urls-hint" : "urls-hint"}
			>
				{box.text}
			</textarea>
			<FieldError id="urls" error={problem} />
			<div class="row">
				<button type="submit" class="primary">
					Update App
				</button>
			</div>
		</form>
	);
}

export function Dashboard(props: {
	chrome: Chrome;
	endpoints: EndpointView[];
	stats: Stats;
	/** Each endpoint's health, by id. */
	health: ReadonlyMap<string, EndpointHealth>;
	box: WebHooksBox;
	readOnly: boolean;
}) {
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<h1>Web Hooks</h1>
			<Overview stats={props.stats} />
			{!props.readOnly && (
				<section class="card" aria-labelledby="web-hooks">
					<h2 id="web-hooks">Update App</h2>
					<WebHooksForm base={base} box={props.box} />
				</section>
			)}
			<section class="card" aria-labelledby="endpoints">
				<h2 id="endpoints">Endpoints</h2>
				{props.readOnly && (
					<p>
						<small>Read-only: you can see everything here but change nothing.</small>
					</p>
				)}
				<EndpointsTable base={base} endpoints={props.endpoints} health={props.health} readOnly={props.readOnly} />
			</section>
		</Layout>
	);
}
