/**
 * The error catalogue: what each error code of http/errors.ts means, which
 * codes every operation of a surface can answer, and the error body's member
 * descriptions. It makes the error responses of the OpenAPI document and the
 * error-code table the docs include (docs/api.md, between its error-codes
 * markers; written by `npm run openapi`). Build time only.
 */
import { MAX_BODY_BYTES } from "../http/bodyLimit";
import { errorBodySchema } from "../http/errorBody";
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from "../http/errors";
import { MAX_EVENT_BYTES } from "../ingest/route";
import { bodyOver, describe, describeMembers, inner, kb, type Method, type Surface } from "./operations";

/** What each error code means, in general; operations refine a few. Every code of http/errors.ts must be here. */
export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
	invalid_json: "The body is not valid JSON.",
	missing_field: "A required member is missing; `fields` names it.",
	invalid_utf8: "The body is not valid UTF-8 (never repaired: it would be signed and delivered changed).",
	unauthorized: "Credentials missing or wrong.",
	invalid_signature:
		"Signed ingest is on (INGEST_SIGNING_SECRET) and the Standard Webhooks headers are missing, the signature does not match, or `webhook-timestamp` is more than 5 minutes from now.",
	csrf_rejected:
		"A form post (a form content type, or none) that does not show it comes from Hivepost's own page: neither `Sec-Fetch-Site: same-origin` nor this `Origin`, so one with neither header is refused too. Refused as CSRF. On the API, requests with a bearer token are API clients and are not checked.",
	forbidden: "Signed in to an account's portal only: the operator's API is not for portal sessions.",
	read_only: "A read-only portal session tried to change something.",
	not_found: "No such id in this account.",
	url_taken: "The URL is already registered in this account (perhaps by a concurrent change).",
	concurrent_change:
		"Another change to the same endpoint came between this request's read and its write (a secret rotated, headers edited, the endpoint deleted): nothing was saved. Read it again and retry.",
	idempotency_conflict:
		"The `Idempotency-Key` (or, with signed ingest, the `webhook-id`) was used in the last 24 h with a different body; or, with signed ingest, another account accepted this `webhook-id` in the last 5 minutes (a signed event is accepted by one account only). Nothing was stored.",
	endpoint_disabled: "The endpoint is disabled (or was disabled or deleted a moment ago): enable it first.",
	endpoint_deleted: "The delivery's endpoint was deleted: there is nowhere to send it.",
	account_protected: "The default account always exists, cannot be deleted, and stays on DB (it cannot be moved).",
	same_database: "The account's data is already in the database named: nothing to move.",
	move_in_progress: "The account is being moved already; its `move` shows how far. Start another move once it has ended.",
	access_mode: "Signing in with the token is off: this Hivepost signs admins in through Cloudflare Access.",
	payload_too_large: `The body is over the route's limit, checked before anything is read: ${kb(MAX_EVENT_BYTES)} for ingest, ${kb(MAX_BODY_BYTES.updateApp)} for Update App, ${kb(MAX_BODY_BYTES.endpoint)} for creating or editing an endpoint, ${kb(MAX_BODY_BYTES.other)} elsewhere.`,
	unsupported_media_type:
		"Ingest only: `Content-Type` is not `application/json` (parameters such as `charset` are fine). The JSON API reads any body as JSON.",
	validation_failed: "A value is present but not valid; `fields` names it and says why.",
	unknown_event_type: "`payload.action_type` is not one of the 16 event types; the message lists them.",
	destination_refused:
		"The URL is not an allowed destination: not http(s), a user name or password in it, over 2,048 characters, a private or local address, `http:` with HTTPS_ONLY, or this Worker itself.",
	endpoint_limit:
		"The account would have more than MAX_ENDPOINTS_PER_ACCOUNT live endpoints, or an Update App list holds more URLs than the account may have.",
	rate_limited:
		"The account made MANUAL_ACTIONS_PER_MINUTE manual actions (Send test event, Retry now and Redeliver together) in the last minute: nothing was done. `Retry-After` (and the message) says in how many seconds the next one is allowed.",
	internal_error: "Something failed unexpectedly; nothing was changed. Try again; `request_id` finds the Worker's log line.",
	not_configured:
		"A setting the route needs is missing or malformed, or the account's data is in a D1 database this Worker no longer binds, so the route is closed; the message names the setting or the binding.",
	account_moving:
		"The account is being switched to another database (a move, docs/scaling.md): for a few seconds (at most 30) its data takes no writes, and Retry now waits for the switch from the moment the move stops new attempts (twice DELIVERY_TIMEOUT_MS before it, 20 s by default). Nothing was stored or changed; send the same request again after `Retry-After` seconds.",
};

/** What else closes a route that reads or changes one account's data (http/accountScope.ts). */
export const UNBOUND_DATABASE_NOTE =
	"Also when the account's data is in a D1 database this Worker no longer binds: the message names the binding (e.g. DB_1).";

/** The errors every operation of a surface can answer; unsafe methods of the operator's API also meet the CSRF check and a body limit. */
export function surfaceErrors(surface: Surface, method: Method): ErrorCode[] {
	if (surface === "public") return [];
	if (surface === "ingest") return ["unauthorized", "not_configured", "account_moving", "internal_error"];
	// operator and accounts; a change to an account's data meets its move's switch
	const unsafe: ErrorCode[] =
		method === "get" ? [] : ["csrf_rejected", "payload_too_large", ...(surface === "accounts" ? (["account_moving"] as const) : [])];
	return ["unauthorized", "forbidden", ...unsafe, "not_configured", "internal_error"];
}

export const OPERATOR_NOTES: Partial<Record<ErrorCode, string>> = {
	payload_too_large: bodyOver(MAX_BODY_BYTES.other),
	unauthorized:
		"No operator credentials: a missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`, no admin page session, or (Access mode) no valid Access JWT.",
	not_configured:
		"ADMIN_TOKEN is not set (outside Access mode, or a bearer token was sent), or a setting the route reads is malformed; the message names it.",
};

export const SURFACE_NOTES: Record<Surface, Partial<Record<ErrorCode, string>>> = {
	operator: OPERATOR_NOTES,
	accounts: { ...OPERATOR_NOTES, not_found: "No account with that uid." },
	ingest: {
		unauthorized: "The ingest token is missing or wrong (`Authorization: Bearer <INGEST_TOKEN>` or `X-SupportBee-Key`).",
		not_configured:
			"INGEST_TOKEN is not set (checked first), INGEST_SIGNING_SECRET is set but is not a `whsec_` secret, or another setting is malformed; or the account's data is in a D1 database this Worker no longer binds. The message names the setting or the binding.",
		invalid_json: "The body is not JSON.",
		missing_field: 'No `payload` object, or no `payload.action_type`: send `{"payload": {"action_type": "ticket.created", …}}`.',
		validation_failed: "`Idempotency-Key` is longer than 255 characters (with signed ingest, `webhook-id` longer than 244).",
		payload_too_large: bodyOver(MAX_EVENT_BYTES),
	},
	public: {},
};

/** The error body's members, as the document's Error schema describes them. */
export function describeErrorBody(): void {
	describeMembers(errorBodySchema, {
		error: "What is wrong and how to fix it, in words.",
		code: "The stable cause; each code always comes with the same status.",
	});
	describe(inner(errorBodySchema.shape.fields), "The inputs that are wrong: name (a dotted path for nested members) → problem.");
	describe(
		inner(errorBodySchema.shape.request_id),
		"On a 500 only: the request id (also in the `X-Request-Id` header) to find the Worker's log line.",
	);
}

export const ERROR_TABLE_START = "<!-- error-codes:start -->";
export const ERROR_TABLE_END = "<!-- error-codes:end -->";

/** Every error code with its status and meaning, as a Markdown table (by status, then as http/errors.ts lists them). */
export function errorCodeTable(): string {
	const rows = [...ERROR_CODES]
		.sort((a, b) => ERROR_STATUS[a] - ERROR_STATUS[b])
		.map((code) => [String(ERROR_STATUS[code]), `\`${code}\``, ERROR_DESCRIPTIONS[code].replaceAll("|", "\\|")]);
	const header = ["status", "code", "meaning"];
	const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
	return [line(header), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** `markdown` with the table between its error-codes markers replaced by the current one; an error when the markers are missing. */
export function withErrorCodeTable(markdown: string): string {
	const start = markdown.indexOf(ERROR_TABLE_START);
	const end = markdown.indexOf(ERROR_TABLE_END);
	if (start === -1 || end < start) {
		throw new Error(
			`the markers ${ERROR_TABLE_START} and ${ERROR_TABLE_END} are missing (or out of order): put them where the error-code table goes`,
		);
	}
	return `${markdown.slice(0, start + ERROR_TABLE_START.length)}\n\n${errorCodeTable()}\n\n${markdown.slice(end)}`;
}
