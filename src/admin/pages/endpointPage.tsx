/**
 * /admin/endpoints/:id: everything about one endpoint: URL and events,
 * enabled, custom headers (values write-only), signing secret (revealed only
 * on request, rotate), health, Send test event, Redeliver failed.
 */
import { EVENT_TYPES } from "../../events";
import type { EndpointView } from "../endpointStore";
import type { EndpointHealth } from "../stats";
import { ActionButton, Badge, Time } from "./components";
import { successSummary } from "./dashboard";
import { type Chrome, Layout } from "./layout";

export interface EndpointPageProps {
	chrome: Chrome;
	endpoint: EndpointView;
	health: EndpointHealth;
	/** Shown only in the response to Reveal or Rotate (which is never cached). */
	revealedSecret?: string | null;
	previousSecretExpiresAt: string | null;
	/** The settings form as typed, when it was refused. */
	typed?: { url: string; events: string[] };
	/** A default for Redeliver failed's "since" (datetime-local, UTC). */
	redeliverSince: string;
}

function SettingsForm({ endpoint, typed }: { endpoint: EndpointView; typed?: { url: string; events: string[] } }) {
	const url = typed?.url ?? endpoint.url;
	const events = typed?.events ?? endpoint.events;
	const all = events.includes("*");
	return (
		<form method="post" action={`/admin/endpoints/${endpoint.id}/settings`}>
			<label for="url">URL</label>
			<input id="url" name="url" type="url" value={url} required />
			<p>
				<small>Changing the URL keeps the signing secret and the delivery history.</small>
			</p>
			<fieldset>
				<legend>Events</legend>
				<label>
					<input type="radio" name="events_mode" value="all" checked={all} /> All events
				</label>{" "}
				<label>
					<input type="radio" name="events_mode" value="some" checked={!all} /> Only these:
				</label>
				<div class="events-grid">
					{EVENT_TYPES.map((type) => (
						<label>
							<input type="checkbox" name="events" value={type} checked={!all && events.includes(type)} /> <code>{type}</code>
						</label>
					))}
				</div>
			</fieldset>
			<div class="row">
				<button type="submit" class="primary">
					Save
				</button>
			</div>
		</form>
	);
}

function HeadersSection({ endpoint }: { endpoint: EndpointView }) {
	const entries = Object.entries(endpoint.headers);
	return (
		<section class="card" aria-labelledby="headers">
			<h2 id="headers">Custom request headers</h2>
			<p>
				<small>Sent with every delivery, e.g. the receiver's own Authorization. Values are write-only: only a hint is shown.</small>
			</p>
			{entries.length === 0 ? (
				<p class="muted">No custom headers.</p>
			) : (
				<table>
					<tbody>
						{entries.map(([name, hint]) => (
							<tr>
								<td>
									<code>{name}</code>
								</td>
								<td>
									<code>{hint}</code>
								</td>
								<td>
									<ActionButton action={`/admin/endpoints/${endpoint.id}/headers/remove`} label="Remove" kind="danger" fields={{ name }} />
								</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
			<form method="post" action={`/admin/endpoints/${endpoint.id}/headers`} class="row">
				<input type="text" name="name" placeholder="Authorization" aria-label="Header name" required />
				<input type="password" name="value" placeholder="value" aria-label="Header value" autocomplete="off" />
				<button type="submit">Set header</button>
			</form>
		</section>
	);
}

function SecretSection(props: { endpoint: EndpointView; revealed?: string | null; previousExpiresAt: string | null }) {
	const { endpoint } = props;
	return (
		<section class="card" aria-labelledby="secret">
			<h2 id="secret">Signing secret</h2>
			<p>
				<code>{props.revealed ?? "whsec_••••••••••••••••"}</code>
			</p>
			{props.previousExpiresAt && (
				<p>
					<small>
						The previous secret also signs every delivery until <Time at={props.previousExpiresAt} />.
					</small>
				</p>
			)}
			<div class="row">
				<ActionButton action={`/admin/endpoints/${endpoint.id}/secret`} label="Reveal" />
				<ActionButton action={`/admin/endpoints/${endpoint.id}/rotate-secret`} label="Rotate" kind="danger" />
			</div>
		</section>
	);
}

export function EndpointPage(props: EndpointPageProps) {
	const { endpoint, health } = props;
	const base = `/admin/endpoints/${endpoint.id}`;
	return (
		<Layout chrome={props.chrome}>
			<p>
				<a href="/admin">← Endpoints</a>
			</p>
			<h1>{endpoint.url}</h1>
			<section class="card" aria-labelledby="status">
				<h2 id="status">Status and health</h2>
				<dl class="facts">
					<dt>Status</dt>
					<dd>
						<Badge kind={endpoint.enabled ? "enabled" : "disabled"} /> {endpoint.disabled_reason}{" "}
						<ActionButton
							action={`${base}/toggle`}
							label={endpoint.enabled ? "Disable" : "Enable"}
							fields={{ enabled: endpoint.enabled ? "false" : "true", back: "endpoint" }}
						/>
					</dd>
					<dt>Last attempt</dt>
					<dd>
						{health.last_attempt_at ? (
							<>
								<Badge kind={health.last_succeeded ? "delivered" : "failed"}>{health.last_status_code ?? "error"}</Badge>{" "}
								<Time at={health.last_attempt_at} /> {health.last_error && <small>{health.last_error}</small>}
							</>
						) : (
							<span class="muted">none yet</span>
						)}
					</dd>
					<dt>Success</dt>
					<dd>{successSummary(health)}</dd>
					<dt>Now</dt>
					<dd>
						<a href={`/admin/deliveries?endpoint_id=${endpoint.id}&status=retrying`}>{health.retrying} retrying</a> ·{" "}
						<a href={`/admin/deliveries?endpoint_id=${endpoint.id}&status=failed`}>{health.failed} failed</a> ·{" "}
						<a href={`/admin/deliveries?endpoint_id=${endpoint.id}`}>all deliveries</a>
					</dd>
					<dt>Created</dt>
					<dd>
						<Time at={endpoint.created_at} />
					</dd>
				</dl>
			</section>
			<section class="card" aria-labelledby="settings">
				<h2 id="settings">URL and events</h2>
				<SettingsForm endpoint={endpoint} typed={props.typed} />
			</section>
			<HeadersSection endpoint={endpoint} />
			<SecretSection endpoint={endpoint} revealed={props.revealedSecret} previousExpiresAt={props.previousSecretExpiresAt} />
			<section class="card" aria-labelledby="test">
				<h2 id="test">Send test event</h2>
				<form method="post" action={`${base}/test`} class="row">
					<select name="action_type" aria-label="Event type">
						{EVENT_TYPES.map((type) => (
							<option value={type}>{type}</option>
						))}
					</select>
					<button type="submit">Send test event</button>
				</form>
				<p>
					<small>Sends that type's sample payload to this endpoint only, as a real delivery with its own event id.</small>
				</p>
			</section>
			<section class="card" aria-labelledby="redeliver">
				<h2 id="redeliver">Redeliver failed</h2>
				<form method="post" action={`${base}/redeliver`} class="row">
					<label for="since">Failed deliveries created since (UTC)</label>
					<input id="since" name="since" type="datetime-local" value={props.redeliverSince} required />
					<button type="submit">Redeliver failed</button>
				</form>
				<p>
					<small>Each starts over with a fresh set of automatic retries; its attempt history is kept.</small>
				</p>
			</section>
			<section class="card" aria-labelledby="delete">
				<h2 id="delete">Delete</h2>
				<p>
					<small>Its pending and retrying deliveries are cancelled; the history is kept.</small>
				</p>
				<ActionButton action={`${base}/delete`} label="Delete endpoint" kind="danger" />
			</section>
		</Layout>
	);
}
