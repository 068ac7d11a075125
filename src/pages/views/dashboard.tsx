/**
 * An account's home: the summary line, the endpoints table (one status each,
 * its last day, enable or disable), SupportBee's "Web Hooks" box (Update App),
 * once after Update App the new endpoints' signing secrets, and the last 24
 * hours.
 */
import type { EndpointView } from "../../endpoints/endpointResponses";
import type { Stats } from "../../reports/accountStats";
import type { EndpointHealth } from "../../reports/reportResponses";
import { ActionButton, FieldError, invalidProps, percent } from "./components";
import { EndpointStatus } from "./endpointStatus";
import { type Chrome, Layout } from "./layout";
import { Overview, Summary } from "./overview";

export interface WebHooksBox {
	/** What the box holds: the registered URLs, or what the admin typed when it was refused. */
	text: string;
	/** Field → problem, from a refused Update App: each URL it refused. */
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

function EndpointsTable(props: {
	base: string;
	endpoints: EndpointView[];
	health: ReadonlyMap<string, EndpointHealth>;
	readOnly: boolean;
}) {
	const { base, endpoints } = props;
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
						<th scope="col" class="optional">
							Last 24 hours
						</th>
						<th scope="col">
							<span class="visually-hidden">Actions</span>
						</th>
					</tr>
				</thead>
				<tbody>
					{endpoints.map((endpoint) => {
						const health = props.health.get(endpoint.id) as EndpointHealth;
						return (
							<tr>
								<td class="url" data-label="URL">
									<a href={`${base}/endpoints/${endpoint.id}`}>{endpoint.url}</a>
								</td>
								<td data-label="Status">
									<EndpointStatus endpoint={endpoint} />
								</td>
								<td class="optional" data-label="Events">
									{eventsSummary(endpoint.events)}
								</td>
								<td class="optional" data-label="Last 24 hours">
									<small>
										{attemptsSummary(health)} · {health.retrying} retrying · {health.failed_24h} failed
									</small>
								</td>
								<td>
									<div class="row">
										{!props.readOnly && (
											<ActionButton
												action={`${base}/endpoints/${endpoint.id}/toggle#endpoints`}
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
						);
					})}
				</tbody>
			</table>
		</div>
	);
}

function WebHooksForm({ base, box }: { base: string; box: WebHooksBox }) {
	const problems = Object.values(box.problems ?? {});
	const problem = problems.length ? problems.join(" ") : undefined;
	return (
		<form method="post" action={`${base}/webhooks#web-hooks`}>
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
			{problems.length > 1 ? (
				<ul id="urls-error" class="field-error">
					{problems.map((text) => (
						<li>{text}</li>
					))}
				</ul>
			) : (
				<FieldError id="urls" error={problem} />
			)}
			<div class="row">
				<button type="submit" class="primary">
					Update App
				</button>
			</div>
		</form>
	);
}

/** The endpoints Update App just created, with their signing secrets: shown this once. */
function NewSecrets({ created }: { created: { url: string; secret: string }[] }) {
	return (
		<section class="card" aria-labelledby="new-secrets">
			<h2 id="new-secrets">New endpoints' signing secrets</h2>
			<p>Shown this once: copy each into its receiver now. Later, Reveal on an endpoint's page shows it again.</p>
			<dl class="facts">
				{created.map((endpoint) => (
					<>
						<dt class="url">{endpoint.url}</dt>
						<dd>
							<code>{endpoint.secret}</code>
						</dd>
					</>
				))}
			</dl>
		</section>
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
	/** Only the failing endpoints in the table. */
	onlyFailing: boolean;
	newSecrets: { url: string; secret: string }[];
}) {
	const { chrome, readOnly } = props;
	const base = chrome.base ?? "/admin";
	const shown = props.onlyFailing ? props.endpoints.filter((endpoint) => endpoint.health.status === "failing") : props.endpoints;
	return (
		<Layout chrome={chrome}>
			<h1>Web Hooks</h1>
			<Summary stats={props.stats} base={base} endpoints={props.endpoints.length} />
			{props.newSecrets.length > 0 && <NewSecrets created={props.newSecrets} />}
			<section class="card" aria-labelledby="endpoints">
				<h2 id="endpoints">Endpoints</h2>
				{/* Every change made from this page is about its endpoints. */}
				{chrome.notice && <p class="notice">{chrome.notice}</p>}
				{readOnly && (
					<p>
						<small>Read-only: you can see everything here but change nothing.</small>
					</p>
				)}
				{props.onlyFailing && (
					<p>
						Failing endpoints only · <a href={`${base}#endpoints`}>Show all</a>
					</p>
				)}
				{props.endpoints.length === 0 ? (
					<p class="muted">{readOnly ? "No endpoints yet." : "No endpoints yet: paste URLs below and press Update App."}</p>
				) : shown.length === 0 ? (
					<p class="muted">None is failing.</p>
				) : (
					<EndpointsTable base={base} endpoints={shown} health={props.health} readOnly={readOnly} />
				)}
			</section>
			{!readOnly && (
				<section class="card" aria-labelledby="web-hooks">
					<h2 id="web-hooks">Update App</h2>
					<WebHooksForm base={base} box={props.box} />
				</section>
			)}
			<Overview stats={props.stats} base={base} />
		</Layout>
	);
}
