/**
 * …/deliveries/:id: one delivery, where it stands, every attempt (its result
 * in words, the response, and the request headers Hivepost sent), its event
 * payload, and Retry now (Resend once delivered).
 */
import { USER_AGENT } from "../../delivery/send";
import type { AttemptView, DeliveryDetail } from "../../reports/reportResponses";
import { ActionButton, Badge, CardNotice, Time } from "./components";
import { type Chrome, Layout } from "./layout";
import { AttemptResult, progressWords } from "./results";

/** The delivery's endpoint as it is now: its custom headers' masked hints; null once deleted. */
export type DeliveryEndpoint = { enabled: boolean; headers: Record<string, string> } | null;

/** The payload pretty-printed when it is JSON (it always should be), else as received. */
export function prettyJson(text: string): string {
	try {
		return JSON.stringify(JSON.parse(text), null, 2);
	} catch {
		return text;
	}
}

/** What an attempt sent besides the body: Hivepost's own headers, and the custom ones as their hints (as they are set now). */
function RequestHeaders({ attempt, eventId, custom }: { attempt: AttemptView; eventId: string; custom: Record<string, string> }) {
	const sent: [string, string][] = [
		["content-type", "application/json"],
		["user-agent", USER_AGENT],
		["webhook-id", eventId],
		["webhook-timestamp", String(Math.floor(Date.parse(attempt.started_at) / 1000))],
		["webhook-signature", "v1,… (one for each signing secret in use)"],
		...Object.entries(custom),
	];
	return (
		<details>
			<summary>Request headers</summary>
			<dl class="headers">
				{sent.map(([name, value]) => (
					<>
						<dt>
							<code>{name}</code>
						</dt>
						<dd>
							<code>{value}</code>
						</dd>
					</>
				))}
			</dl>
		</details>
	);
}

function Attempts({ delivery, url, custom }: { delivery: DeliveryDetail; url: string; custom: Record<string, string> }) {
	const { attempts } = delivery;
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
					{[...attempts].reverse().map((attempt) => (
						<tr>
							<td data-label="Attempt">{attempt.manual ? <Badge kind="test">manual</Badge> : `#${attempt.number}`}</td>
							<td data-label="Started">
								<Time at={attempt.started_at} />
							</td>
							<td data-label="Duration">{attempt.duration_ms} ms</td>
							<td data-label="Result">
								<AttemptResult attempt={attempt} url={url} withError />
							</td>
							<td data-label="Response">
								{attempt.response_body ? <pre>{attempt.response_body}</pre> : <span class="muted">—</span>}
								<RequestHeaders attempt={attempt} eventId={delivery.event_id} custom={custom} />
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

/** Retry now (Resend once delivered), or why there is none. */
function RetryAction({ base, delivery, endpoint }: { base: string; delivery: DeliveryDetail; endpoint: DeliveryEndpoint }) {
	if (!endpoint) return <small class="muted">Its endpoint was deleted, so there is nowhere to send it.</small>;
	if (!endpoint.enabled) return <small class="muted">Its endpoint is disabled: enable it to send this again.</small>;
	const resend = delivery.status === "delivered";
	return (
		<>
			<ActionButton action={`${base}/deliveries/${delivery.id}/retry#attempts`} label={resend ? "Resend" : "Retry now"} kind="primary" />
			<small>{resend ? "Sends it once more" : "One immediate attempt"}, by hand: it does not use up an automatic retry.</small>
		</>
	);
}

export function DeliveryPage(props: {
	chrome: Chrome;
	delivery: DeliveryDetail;
	endpoint: DeliveryEndpoint;
	payload: string;
	readOnly: boolean;
	maxAttempts: number;
}) {
	const { delivery, chrome } = props;
	const base = chrome.base ?? "/admin";
	return (
		<Layout chrome={chrome}>
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
						<Badge kind={delivery.status} /> {delivery.test && <Badge kind="test">test event</Badge>}{" "}
						<small>{progressWords(delivery, props.maxAttempts)}</small>
					</dd>
					<dt>Next retry</dt>
					<dd>
						<Time at={delivery.next_attempt_at} />
					</dd>
					<dt>Created</dt>
					<dd>
						<Time at={delivery.created_at} />
					</dd>
					{delivery.ticket_id && (
						<>
							<dt>Ticket</dt>
							<dd>
								<a href={`${base}/deliveries?ticket_id=${encodeURIComponent(delivery.ticket_id)}`}>#{delivery.ticket_id}</a>
							</dd>
						</>
					)}
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
				{!props.readOnly && (
					<div class="row">
						<RetryAction base={base} delivery={delivery} endpoint={props.endpoint} />
					</div>
				)}
			</section>
			<section class="card" aria-labelledby="attempts">
				<h2 id="attempts">Attempts, newest first</h2>
				<CardNotice chrome={chrome} card="attempts" />
				<Attempts delivery={delivery} url={delivery.endpoint_url} custom={props.endpoint?.headers ?? {}} />
			</section>
			<section class="card" aria-labelledby="payload">
				<h2 id="payload">Event payload</h2>
				<pre>{prettyJson(props.payload)}</pre>
			</section>
		</Layout>
	);
}
