/**
 * One endpoint: status, delivery state and health; URL and events; custom
 * headers (values write-only); signing secret (shown only on request, or once
 * after a rotation); Send test event; Redeliver failed; delete; and the record
 * of who changed what. Read-only viewers see everything but the secret, and
 * no actions.
 */
import type { AuditEntry } from "../../endpoints/audit";
import type { EndpointView } from "../../endpoints/endpointResponses";
import { EVENT_TYPES } from "../../eventTypes";
import type { EndpointHealth } from "../../reports/reportResponses";
import { ActionButton, Badge, DeliveryStateSummary, FieldError, invalidProps, Time } from "./components";
import { attemptsSummary } from "./dashboard";
import { ChangesSection, HeadersSection, SecretSection } from "./endpointSections";
import { type Chrome, Layout } from "./layout";

export interface EndpointPageProps {
	chrome: Chrome;
	endpoint: EndpointView;
	health: EndpointHealth;
	changes: AuditEntry[];
	/** Shown after Reveal, or once after a rotation (never cached). */
	revealedSecret?: string | null;
	previousSecretExpiresAt: string | null;
	/** The settings form as typed, with its problem, when it was refused. */
	typed?: { url: string; events: string[]; problem: string; field: "url" | "events" };
	/** The header form as typed (the value is never echoed back), with its problem, when it was refused. */
	typedHeader?: { name: string; problem: string };
	/** A default for Redeliver failed's "since" (datetime-local, UTC). */
	redeliverSince: string;
	readOnly: boolean;
}

function SettingsForm({ action, endpoint, typed }: { action: string; endpoint: EndpointView; typed?: EndpointPageProps["typed"] }) {
	const url = typed?.url ?? endpoint.url;
	const events = typed?.events ?? endpoint.events;
	const all = events.includes("*");
	const urlError = typed?.field === "url" ? typed.problem : undefined;
	const eventsError = typed?.field === "events" ? typed.problem : undefined;
	return (
		<form method="post" action={action}>
			<label for="url">URL</label>
			<input id="url" name="url" type="url" value={url} required {...invalidProps("url", urlError)} />
			<FieldError id="url" error={urlError} />
			<p>
				<small>Changing the URL keeps the signing secret and the delivery history.</small>
			</p>
			<fieldset class="events" {...invalidProps("events", eventsError)}>
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
				<FieldError id="events" error={eventsError} />
			</fieldset>
			<div class="row">
				<button type="submit" class="primary">
					Save URL and events
				</button>
			</div>
		</form>
	);
}

export function EndpointPage(props: EndpointPageProps) {
	const { endpoint, health, readOnly } = props;
	const home = props.chrome.base ?? "/admin";
	const base = `${home}/endpoints/${endpoint.id}`;
	const deliveries = `${home}/deliveries?endpoint_id=${endpoint.id}`;
	return (
		<Layout chrome={props.chrome}>
			<p>
				<a href={home}>← Endpoints</a>
			</p>
			<h1>{endpoint.url}</h1>
			<section class="card" aria-labelledby="status">
				<h2 id="status">Status and health</h2>
				<dl class="facts">
					<dt>Status</dt>
					<dd>
						<Badge kind={endpoint.enabled ? "enabled" : "disabled"} /> {endpoint.disabled_reason}{" "}
						{!readOnly && (
							<ActionButton
								action={`${base}/toggle`}
								label={endpoint.enabled ? "Disable" : "Enable"}
								name={`${endpoint.enabled ? "Disable" : "Enable"} ${endpoint.url}`}
								fields={{ enabled: endpoint.enabled ? "false" : "true", back: "endpoint" }}
							/>
						)}
					</dd>
					<dt>Delivery</dt>
					<dd>
						<DeliveryStateSummary state={endpoint.delivery_state} />
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
					<dt>Attempts</dt>
					<dd>{attemptsSummary(health)}</dd>
					<dt>Now</dt>
					<dd>
						<a href={`${deliveries}&status=retrying`}>{health.retrying} retrying</a> ·{" "}
						<a href={`${deliveries}&status=failed`}>{health.failed_24h} failed (24 h)</a> · <a href={deliveries}>all deliveries</a>
					</dd>
					<dt>Created</dt>
					<dd>
						<Time at={endpoint.created_at} />
					</dd>
				</dl>
			</section>
			<section class="card" aria-labelledby="settings">
				<h2 id="settings">URL and events</h2>
				{readOnly ? (
					<p>{endpoint.events.includes("*") ? "All events" : endpoint.events.map((type) => <code class="tag">{type}</code>)}</p>
				) : (
					<SettingsForm action={`${base}/settings`} endpoint={endpoint} typed={props.typed} />
				)}
			</section>
			<HeadersSection base={base} endpoint={endpoint} typed={props.typedHeader} readOnly={readOnly} />
			{!readOnly && (
				<>
					<SecretSection base={base} revealed={props.revealedSecret} previousExpiresAt={props.previousSecretExpiresAt} url={endpoint.url} />
					<section class="card" aria-labelledby="test">
						<h2 id="test">Send test event</h2>
						<form method="post" action={`${base}/test`} class="row">
							<label for="action_type">Event type</label>
							<select id="action_type" name="action_type">
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
							<small>
								Its pending and retrying deliveries are cancelled; its secret, headers and event filter go with it; the history is kept.
							</small>
						</p>
						<ActionButton action={`${base}/delete`} label="Delete endpoint" name={`Delete endpoint ${endpoint.url}`} kind="danger" />
					</section>
				</>
			)}
			<ChangesSection changes={props.changes} />
		</Layout>
	);
}
