/**
 * One endpoint: its status and last day, then its recent attempts and "Resend
 * everything since …"; URL and events; custom headers (values write-only);
 * signing secret (shown only on request, or once after a rotation); Send test
 * event; delete; and the record of who changed what. Read-only viewers see
 * everything but the secret, and no actions.
 */
import type { AuditEntry } from "../../endpoints/audit";
import type { EndpointView } from "../../endpoints/endpointResponses";
import { EVENT_TYPES } from "../../eventTypes";
import type { RecentAttempt } from "../../reports/recentAttempts";
import type { EndpointHealth } from "../../reports/reportResponses";
import { ActionButton, CardNotice, FieldError, invalidProps, Time } from "./components";
import { attemptsSummary } from "./dashboard";
import { RecentAttemptsSection, ResendSection } from "./endpointActivity";
import { ChangesSection, HeadersSection, SecretSection } from "./endpointSections";
import { EndpointStatus } from "./endpointStatus";
import { type Chrome, Layout } from "./layout";

export interface EndpointPageProps {
	chrome: Chrome;
	endpoint: EndpointView;
	health: EndpointHealth;
	attempts: RecentAttempt[];
	changes: AuditEntry[];
	/** Shown after Reveal, or once after a rotation (never cached). */
	revealedSecret?: string | null;
	previousSecretExpiresAt: string | null;
	/** The settings form as typed, with its problem, when it was refused. */
	typed?: { url: string; events: string[]; problem: string; field: "url" | "events" };
	/** The header form as typed (the value is never echoed back), with its problem, when it was refused. */
	typedHeader?: { name: string; problem: string };
	/** A default for Resend's "since" (datetime-local, UTC). */
	resendSince: string;
	readOnly: boolean;
}

function SettingsForm({ action, endpoint, typed }: { action: string; endpoint: EndpointView; typed?: EndpointPageProps["typed"] }) {
	const url = typed?.url ?? endpoint.url;
	const events = typed?.events ?? endpoint.events;
	const all = events.includes("*");
	const urlError = typed?.field === "url" ? typed.problem : undefined;
	const eventsError = typed?.field === "events" ? typed.problem : undefined;
	return (
		<form method="post" action={`${action}#settings`}>
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
	const { endpoint, health, readOnly, chrome } = props;
	const home = chrome.base ?? "/admin";
	const base = `${home}/endpoints/${endpoint.id}`;
	const deliveries = `${home}/deliveries?endpoint_id=${endpoint.id}`;
	return (
		<Layout chrome={chrome}>
			<p>
				<a href={home}>← Endpoints</a>
			</p>
			<h1>{endpoint.url}</h1>
			<section class="card" aria-labelledby="status">
				<h2 id="status">Status</h2>
				<CardNotice chrome={chrome} card="status" />
				<dl class="facts">
					<dt>Now</dt>
					<dd>
						<EndpointStatus endpoint={endpoint} />
						{!readOnly && (
							<ActionButton
								action={`${base}/toggle#status`}
								label={endpoint.enabled ? "Disable" : "Enable"}
								name={`${endpoint.enabled ? "Disable" : "Enable"} ${endpoint.url}`}
								fields={{ enabled: endpoint.enabled ? "false" : "true", back: "endpoint" }}
							/>
						)}
					</dd>
					<dt>Deliveries</dt>
					<dd>
						<a href={`${deliveries}&status=retrying`}>{health.retrying} retrying</a> ·{" "}
						<a href={`${deliveries}&status=failed`}>{health.failed_24h} failed (24 h)</a> · <a href={deliveries}>all deliveries</a>
					</dd>
					<dt>Attempts</dt>
					<dd>{attemptsSummary(health)}</dd>
					<dt>Created</dt>
					<dd>
						<Time at={endpoint.created_at} />
					</dd>
				</dl>
			</section>
			<RecentAttemptsSection base={home} url={endpoint.url} attempts={props.attempts} />
			{!readOnly && <ResendSection chrome={chrome} action={`${base}/resend`} since={props.resendSince} />}
			<section class="card" aria-labelledby="settings">
				<h2 id="settings">URL and events</h2>
				<CardNotice chrome={chrome} card="settings" />
				{readOnly ? (
					<p>{endpoint.events.includes("*") ? "All events" : endpoint.events.map((type) => <code class="tag">{type}</code>)}</p>
				) : (
					<SettingsForm action={`${base}/settings`} endpoint={endpoint} typed={props.typed} />
				)}
			</section>
			<HeadersSection chrome={chrome} base={base} endpoint={endpoint} typed={props.typedHeader} readOnly={readOnly} />
			{!readOnly && (
				<>
					<SecretSection
						chrome={chrome}
						base={base}
						revealed={props.revealedSecret}
						previousExpiresAt={props.previousSecretExpiresAt}
						url={endpoint.url}
					/>
					<section class="card" aria-labelledby="test">
						<h2 id="test">Send test event</h2>
						<CardNotice chrome={chrome} card="test" />
						<form method="post" action={`${base}/test#test`} class="row">
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
