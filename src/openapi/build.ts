/**
 * The description of Hivepost's HTTP surface, and the builder that turns it
 * into the OpenAPI 3.1 document: request bodies and query parameters from the
 * zod schemas that validate them (schemas.ts, accounts/api.ts), responses from
 * responses.ts, error codes from http/errors.ts, the webhooks (one per event
 * type) from events.ts and the samples.
 *
 * Build time only: `npm run openapi` (scripts/openapi.ts) writes the result
 * into static/api/openapi.json, which the Worker serves; zod's JSON Schema
 * generator never runs in the Worker. test/admin/openapi.test.ts fails when
 * the committed document is stale.
 */
import * as z from "zod/mini";
import { version } from "../../package.json";
import { accountListSchema, adminLinkRequestSchema, MAX_LINK_SECONDS, putAccountSchema } from "../accounts/accountRequests";
import { MAX_ACCOUNT_NAME_LENGTH } from "../accounts/accountStore";
import type { OpenApiDocument } from "../api/openapiDocument";
import { UID_PATTERN, UID_RULE } from "../db/directory";
import { MAX_CUSTOM_HEADERS, MAX_HEADER_VALUE_LENGTH } from "../endpoints/customHeaders";
import { DEFAULT_ACCOUNT_LIST_LIMIT } from "../endpoints/endpointChanges";
import {
	createEndpointSchema,
	redeliverSchema,
	replaceEndpointsSchema,
	testEventSchema,
	updateEndpointSchema,
} from "../endpoints/endpointRequests";
import { ALL_EVENTS, EVENT_TYPES, type EventType } from "../events";
import { MAX_BODY_BYTES } from "../http/bodyLimit";
import { ERROR_STATUS, type ErrorCode } from "../http/errors";
import { MAX_EVENT_BYTES } from "../ingest/route";
import { DELIVERY_PAGE_SIZE, deliveryFilterSchema, eventFilterSchema } from "../reports/filters";
import * as responses from "../reports/reportResponses";

/** Each event type's SupportBee sample, as text (static/samples/supportbee): the document's examples. */
export type Samples = Readonly<Record<EventType, string>>;

type Method = "get" | "put" | "post" | "patch" | "delete";
type Json = Record<string, unknown>;

/** Where an operation lives: the operator's API (ADMIN_TOKEN; `accounts` is its /api/accounts part), ingest (INGEST_TOKEN), or public. */
type Surface = "operator" | "accounts" | "ingest" | "public";

interface Success {
	description: string;
	/** A component schema's name; omitted for 204. */
	schema?: string;
	headers?: Json;
}

interface Operation {
	method: Method;
	/** Within its surface: an account API path is relative to `/api` (or `/api/accounts/{uid}` for its twin). */
	path: string;
	id: string;
	tag: Tag;
	summary: string;
	description?: string;
	/** Path parameters (by component name, e.g. `EndpointId`) and header parameters. */
	parameters?: Json[];
	query?: z.ZodMiniObject;
	/** A request component's name. */
	body?: string;
	/** Every member is optional, so the body may be left out entirely. */
	bodyOptional?: true;
	bodyExample?: EventType;
	success: Record<number, Success>;
	/** The errors this operation can answer besides those of its surface. */
	errors?: ErrorCode[];
	/** …and those its per-account twin adds. */
	twinErrors?: ErrorCode[];
	/** What a code means here, where the general description would be vague. */
	notes?: Partial<Record<ErrorCode, string>>;
}

const TAGS = {
	Ingest: "What the helpdesk calls: one ticket event in, one delivery per subscribed endpoint out.",
	Endpoints:
		"The URLs an account's events are delivered to: register, replace (SupportBee's Update App), edit, delete; signing secrets; test events; redelivery.",
	Deliveries: "The delivery log: one event to one endpoint, with every attempt; Retry now.",
	Events: "The events an account received, with their exact bodies and deliveries.",
	Stats: "The last 24 hours at a glance, and every endpoint's health.",
	Accounts:
		"The operator's accounts: a helpdesk's customers, each with its own endpoints, events and deliveries, and a portal reached by one-time admin links.",
	Service: "Liveness and this document.",
	Webhooks: `What Hivepost sends: one webhook per event type, each with its SupportBee sample; this is the event catalog. Every delivery is an HTTP POST of the exact bytes the helpdesk sent (\`Content-Type: application/json\`), signed with the endpoint's own secret (Standard Webhooks), with the endpoint's custom headers. At least once: a receiver can see an event twice, so dedupe on \`webhook-id\`. Order is not guaranteed: use the ticket's own timestamps.`,
} as const;
type Tag = keyof typeof TAGS;

const kb = (bytes: number) => `${bytes / 1024} KB`;
const bodyOver = (bytes: number) => `The body is over ${kb(bytes)}, checked before anything is read.`;

/** What each error code means, in general; operations refine a few. Every code of http/errors.ts must be here. */
const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
	invalid_json: "The body is not valid JSON.",
	missing_field: "A required member is missing; `fields` names it.",
	invalid_utf8: "The body is not valid UTF-8 (never repaired: it would be signed and delivered changed).",
	unauthorized: "Credentials missing or wrong.",
	invalid_signature:
		"Signed ingest is on (INGEST_SIGNING_SECRET) and the Standard Webhooks headers are missing, the signature does not match, or `webhook-timestamp` is more than 5 minutes from now.",
	csrf_rejected:
		"A cross-site browser form post (`Origin` / `Sec-Fetch-Site` say another site, with a form content type): refused as CSRF. On the API, requests with a bearer token are API clients and are not checked.",
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
	delivery_cancelled: "The delivery was cancelled (its endpoint was disabled or deleted at the time), so it is not retried.",
	account_protected: "The default account always exists and cannot be deleted.",
	access_mode: "Signing in with the token is off: this Hivepost signs admins in through Cloudflare Access.",
	link_used_or_expired: "The admin link was used already, has expired, or never existed.",
	payload_too_large: `The body is over the route's limit, checked before anything is read: ${kb(MAX_EVENT_BYTES)} for ingest, ${kb(MAX_BODY_BYTES.updateApp)} for Update App, ${kb(MAX_BODY_BYTES.endpoint)} for creating or editing an endpoint, ${kb(MAX_BODY_BYTES.other)} elsewhere.`,
	unsupported_media_type: "`Content-Type` is not `application/json` (parameters such as `charset` are fine).",
	validation_failed: "A value is present but not valid; `fields` names it and says why.",
	unknown_event_type: "`payload.action_type` is not one of the 16 event types; the message lists them.",
	destination_refused:
		"The URL is not an allowed destination: not http(s), a user name or password in it, over 2,048 characters, a private or local address, `http:` with HTTPS_ONLY, or this Worker itself.",
	endpoint_limit:
		"The account would have more than MAX_ENDPOINTS_PER_ACCOUNT live endpoints, or an Update App list holds more URLs than the account may have.",
	internal_error: "Something failed unexpectedly; nothing was changed. Try again; `request_id` finds the Worker's log line.",
	not_configured: "A setting the route needs is missing or malformed, so the route is closed; the message names it.",
};

/** The errors every operation of a surface can answer; unsafe methods of the operator's API also meet the CSRF check and a body limit. */
function surfaceErrors(surface: Surface, method: Method): ErrorCode[] {
	if (surface === "public") return [];
	if (surface === "ingest") return ["unauthorized", "not_configured", "internal_error"];
	// operator and accounts
	const unsafe: ErrorCode[] = method === "get" ? [] : ["csrf_rejected", "payload_too_large"];
	return ["unauthorized", "forbidden", ...unsafe, "not_configured", "internal_error"];
}

const OPERATOR_NOTES: Partial<Record<ErrorCode, string>> = {
	payload_too_large: bodyOver(MAX_BODY_BYTES.other),
	unauthorized:
		"No operator credentials: a missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`, no admin page session, or (Access mode) no valid Access JWT.",
	not_configured:
		"ADMIN_TOKEN is not set (outside Access mode, or a bearer token was sent), or a setting the route reads is malformed; the message names it.",
};

const SURFACE_NOTES: Record<Surface, Partial<Record<ErrorCode, string>>> = {
	operator: OPERATOR_NOTES,
	accounts: { ...OPERATOR_NOTES, not_found: "No account with that uid." },
	ingest: {
		unauthorized: "The ingest token is missing or wrong (`Authorization: Bearer <INGEST_TOKEN>` or `X-SupportBee-Key`).",
		not_configured:
			"INGEST_TOKEN is not set (checked first), INGEST_SIGNING_SECRET is set but is not a `whsec_` secret, or another setting is malformed; the message names it.",
		invalid_json: "The body is not JSON.",
		missing_field: 'No `payload` object, or no `payload.action_type`: send `{"payload": {"action_type": "ticket.created", …}}`.',
		validation_failed: "`Idempotency-Key` is longer than 255 characters.",
		payload_too_large: bodyOver(MAX_EVENT_BYTES),
	},
	public: {},
};

const ref = (kind: "schemas" | "parameters" | "responses", name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: Json, example?: unknown) => ({ "application/json": example === undefined ? { schema } : { schema, example } });

const SUFFIXES: Record<Surface, string> = { operator: "", accounts: "Accounts", ingest: "Ingest", public: "" };

const pascal = (code: string) => code.replace(/(^|_)([a-z])/g, (_, _sep, letter: string) => letter.toUpperCase());

/**
 * The error responses, shared as components: one per status, set of codes and
 * wording, named after its codes (`InvalidJsonOrMissingField`), with a suffix
 * where the same codes are worded for another context (`UnauthorizedIngest`).
 */
class ErrorResponses {
	readonly components: Record<string, Json> = {};
	private readonly names = new Map<string, string>();

	/** Refs to the responses for `codes`, by status. */
	refs(codes: ErrorCode[], notes: Partial<Record<ErrorCode, string>>, suffixes: string[]): Record<string, Json> {
		const byStatus = new Map<number, ErrorCode[]>();
		for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
		const result: Record<string, Json> = {};
		for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
			result[status] = { $ref: `#/components/responses/${this.nameFor(status, list, notes, suffixes)}` };
		}
		return result;
	}

	private nameFor(status: number, codes: ErrorCode[], notes: Partial<Record<ErrorCode, string>>, suffixes: string[]): string {
		const response = {
			description: codes.map((code) => `\`${code}\`: ${notes[code] ?? ERROR_DESCRIPTIONS[code]}`).join("\n\n"),
			...(status === 401
				? { headers: { "WWW-Authenticate": { description: '`Bearer realm="hivepost"`', schema: { type: "string" } } } }
				: {}),
			content: json({ allOf: [ref("schemas", "Error"), { properties: { code: { enum: codes } } }] }),
		};
		const key = JSON.stringify(response);
		const known = this.names.get(key);
		if (known) return known;
		const base = codes.map(pascal).join("Or");
		const name = [base, ...suffixes.map((_, i) => base + suffixes.slice(0, i + 1).join(""))].find(
			(candidate) => !this.components[candidate],
		);
		if (!name) throw new Error(`no name left for the error response ${key}`);
		this.components[name] = response;
		this.names.set(key, name);
		return name;
	}
}

/** The query schema's members as OpenAPI parameters (all optional), their descriptions lifted out of the schemas. */
function queryParameters(schema: z.ZodMiniObject): Json[] {
	const { properties = {} } = jsonSchema(schema, "input") as { properties?: Record<string, Json> };
	return Object.entries(properties).map(([name, { description, ...property }]) => ({
		name,
		in: "query",
		required: false,
		...(description ? { description } : {}),
		schema: property,
	}));
}

function operationObject(op: Operation, surface: Surface, twin: boolean, errors: ErrorResponses, samples: Samples): Json {
	const codes = [
		...surfaceErrors(surface, op.method),
		...(op.errors ?? []),
		...(twin ? ["not_found" as const, ...(op.twinErrors ?? [])] : []),
	];
	const notes = {
		...SURFACE_NOTES[surface],
		...op.notes,
		...(twin
			? { not_found: op.errors?.includes("not_found") ? "No account with that uid, or no such id in it." : "No account with that uid." }
			: {}),
	};
	const parameters = [
		...(twin ? [ref("parameters", "Uid")] : []),
		...(op.parameters ?? []),
		...(op.query ? queryParameters(op.query) : []),
	];
	const successes = Object.entries(op.success).map(([status, success]) => [
		status,
		{
			description: success.description,
			...(success.headers ? { headers: success.headers } : {}),
			...(success.schema ? { content: json(ref("schemas", success.schema)) } : {}),
		},
	]);
	return {
		operationId: twin ? op.id.replace(/^[a-z]+/, (verb) => `${verb}Account`) : op.id,
		tags: [op.tag],
		summary: op.summary,
		...(op.description ? { description: op.description } : {}),
		...(surface === "ingest" ? { security: [{ ingestToken: [] }, { supportBeeKey: [] }] } : surface === "public" ? { security: [] } : {}),
		...(parameters.length ? { parameters } : {}),
		...(op.body
			? {
					requestBody: {
						required: !op.bodyOptional,
						content: json(ref("schemas", op.body), op.bodyExample ? JSON.parse(samples[op.bodyExample]) : undefined),
					},
				}
			: {}),
		responses: {
			...Object.fromEntries(successes),
			...errors.refs([...new Set(codes)], notes, [SUFFIXES[surface], twin ? "InAccount" : "", pascal(op.id)].filter(Boolean)),
		},
	};
}

const idParameter = (what: string, prefix: string) => ({
	name: "id",
	in: "path",
	required: true,
	description: `The ${what}'s id (\`${prefix}_…\`).`,
	schema: { type: "string" },
});

const noStore = {
	"Cache-Control": { description: "`no-store`: the secret is never cached.", schema: { type: "string", const: "no-store" } },
};

/** One account's API: at `/api/…` for the default account, and its twin at `/api/accounts/{uid}/…` for any account. */
const ACCOUNT_API: Operation[] = [
	{
		method: "get",
		path: "/endpoints",
		id: "listEndpoints",
		tag: "Endpoints",
		summary: "List endpoints",
		description: "Live endpoints in the order they were added. Header values are masked; secrets are not shown.",
		success: { 200: { description: "The endpoints.", schema: "EndpointList" } },
	},
	{
		method: "post",
		path: "/endpoints",
		id: "createEndpoint",
		tag: "Endpoints",
		summary: "Register an endpoint",
		description:
			'Registers a URL. `events` defaults to `["*"]` (every event type). The response carries the endpoint\'s signing `secret`; afterwards it is shown only on request (`GET …/endpoints/{id}/secret`).',
		body: "EndpointCreate",
		success: { 201: { description: "The endpoint, with its signing secret.", schema: "CreatedEndpoint" } },
		errors: ["invalid_json", "missing_field", "validation_failed", "destination_refused", "url_taken"],
		twinErrors: ["endpoint_limit"],
		notes: { payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint) },
	},
	{
		method: "put",
		path: "/endpoints",
		id: "replaceEndpoints",
		tag: "Endpoints",
		summary: "Replace the whole set (SupportBee's Update App)",
		description:
			"The list becomes the account's whole set of endpoints. URLs are split on white space, on `;`, and on `,` only where the next non-blank text starts with `http://` or `https://` (any case) or the list ends, so `?ids=1,2` stays in its URL; they are compared in canonical form. Unchanged URLs keep their id, events, headers, secret and history; removed ones are deleted (their pending and retrying deliveries cancelled); new ones are created, subscribed to every event. A list of more URLs than the account may have is a 422 before any URL is parsed; any refused URL is a 422 naming it; either way nothing changes. One transaction.",
		body: "EndpointsReplace",
		success: { 200: { description: "The whole set; the endpoints created carry their `secret`.", schema: "ReplacedEndpoints" } },
		errors: ["invalid_json", "missing_field", "validation_failed", "destination_refused", "url_taken", "endpoint_limit"],
		notes: {
			payload_too_large: bodyOver(MAX_BODY_BYTES.updateApp),
			url_taken: "A concurrent change registered one of the URLs first; nothing changed.",
			endpoint_limit: `The list holds more URLs than the account may have endpoints (MAX_ENDPOINTS_PER_ACCOUNT; for the default account, ${DEFAULT_ACCOUNT_LIST_LIMIT}); \`fields\` names \`urls\`. Counted before any URL is parsed.`,
		},
	},
	{
		method: "get",
		path: "/endpoints/{id}",
		id: "getEndpoint",
		tag: "Endpoints",
		summary: "Get an endpoint",
		parameters: [ref("parameters", "EndpointId")],
		success: { 200: { description: "The endpoint.", schema: "Endpoint" } },
		errors: ["not_found"],
	},
	{
		method: "patch",
		path: "/endpoints/{id}",
		id: "updateEndpoint",
		tag: "Endpoints",
		summary: "Edit an endpoint",
		description:
			"Changes only the members given. A new `url` keeps the secret and the history. `enabled: false` cancels its pending and retrying deliveries; `enabled: true` clears `disabled_reason`. `headers` changes only the names given: a string sets that header, null removes it.",
		parameters: [ref("parameters", "EndpointId")],
		body: "EndpointUpdate",
		success: { 200: { description: "The endpoint as changed.", schema: "Endpoint" } },
		errors: ["invalid_json", "not_found", "validation_failed", "destination_refused", "url_taken", "concurrent_change"],
		notes: {
			payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint),
			concurrent_change:
				"The endpoint was changed or deleted by someone else between this request's read and its write (`headers` are merged into those read, so a concurrent header edit is never lost): nothing was saved. Read it again and retry.",
		},
	},
	{
		method: "delete",
		path: "/endpoints/{id}",
		id: "deleteEndpoint",
		tag: "Endpoints",
		summary: "Delete an endpoint",
		description: "Its pending and retrying deliveries become `cancelled`; its history is kept.",
		parameters: [ref("parameters", "EndpointId")],
		success: { 204: { description: "Deleted." } },
		errors: ["not_found"],
	},
	{
		method: "get",
		path: "/endpoints/{id}/secret",
		id: "getEndpointSecret",
		tag: "Endpoints",
		summary: "Reveal the signing secret",
		description: "Answered with `Cache-Control: no-store`, like every operator API response.",
		parameters: [ref("parameters", "EndpointId")],
		success: { 200: { description: "The current signing secret.", schema: "Secret", headers: noStore } },
		errors: ["not_found"],
	},
	{
		method: "post",
		path: "/endpoints/{id}/rotate-secret",
		id: "rotateEndpointSecret",
		tag: "Endpoints",
		summary: "Rotate the signing secret",
		description:
			"A new signing secret. For 24 hours every delivery also carries a signature made with the replaced secret (and with any secret replaced before it within its own 24 hours), so receivers can switch without dropping a delivery.",
		parameters: [ref("parameters", "EndpointId")],
		success: { 200: { description: "The new signing secret.", schema: "Secret", headers: noStore } },
		errors: ["not_found", "concurrent_change"],
		notes: {
			concurrent_change:
				"Another rotation (or a delete) came between this request's read and its write: that one's secret is the current one, and nothing was changed here. Read the secret with GET …/secret, or rotate again.",
		},
	},
	{
		method: "post",
		path: "/endpoints/{id}/test",
		id: "sendEndpointTestEvent",
		tag: "Endpoints",
		summary: "Send a test event",
		description:
			"A new event, marked as a test, with that event type's sample SupportBee payload (see the webhooks), delivered to this endpoint only, like any other event.",
		parameters: [ref("parameters", "EndpointId")],
		body: "TestEventRequest",
		success: { 202: { description: "The test event is stored and its delivery queued.", schema: "TestEventReceipt" } },
		errors: ["invalid_json", "missing_field", "validation_failed", "not_found", "endpoint_disabled"],
	},
	{
		method: "post",
		path: "/endpoints/{id}/redeliver",
		id: "redeliverEndpointFailures",
		tag: "Endpoints",
		summary: "Redeliver failed deliveries",
		description:
			"Every `failed` delivery of this endpoint created since `since` (at most 1,000 per request: repeat it for more) starts over as `pending` with a fresh set of automatic attempts; its attempt history stays.",
		parameters: [ref("parameters", "EndpointId")],
		body: "RedeliverRequest",
		success: { 202: { description: "How many deliveries started over.", schema: "Redelivered" } },
		errors: ["invalid_json", "missing_field", "validation_failed", "not_found", "endpoint_disabled"],
	},
	{
		method: "get",
		path: "/deliveries",
		id: "listDeliveries",
		tag: "Deliveries",
		summary: "List deliveries",
		description: `Newest first, ${DELIVERY_PAGE_SIZE} a page, optionally filtered.`,
		query: deliveryFilterSchema,
		success: { 200: { description: "A page of deliveries.", schema: "DeliveryPage" } },
		errors: ["validation_failed"],
	},
	{
		method: "get",
		path: "/deliveries/{id}",
		id: "getDelivery",
		tag: "Deliveries",
		summary: "Get a delivery with its attempts",
		parameters: [ref("parameters", "DeliveryId")],
		success: { 200: { description: "The delivery and every attempt.", schema: "DeliveryDetail" } },
		errors: ["not_found"],
	},
	{
		method: "post",
		path: "/deliveries/{id}/retry",
		id: "retryDelivery",
		tag: "Deliveries",
		summary: "Retry now",
		description:
			"Makes one manual attempt at once, outside the automatic count: a success ends the delivery (`delivered`), a failure leaves the automatic schedule as it was. The answer comes after the attempt.",
		parameters: [ref("parameters", "DeliveryId")],
		success: { 200: { description: "The attempt made and the delivery's status after it.", schema: "RetryResult" } },
		errors: ["not_found", "endpoint_deleted", "endpoint_disabled", "delivery_cancelled"],
		notes: { endpoint_disabled: "The delivery's endpoint is disabled: enable it first." },
	},
	{
		method: "get",
		path: "/events",
		id: "listEvents",
		tag: "Events",
		summary: "List events",
		description: "Newest first, 50 a page, optionally of one type; also events no endpoint was subscribed to.",
		query: eventFilterSchema,
		success: { 200: { description: "A page of events.", schema: "EventPage" } },
		errors: ["validation_failed"],
	},
	{
		method: "get",
		path: "/events/{id}",
		id: "getEvent",
		tag: "Events",
		summary: "Get an event with its body and deliveries",
		parameters: [ref("parameters", "EventId")],
		success: { 200: { description: "The event.", schema: "EventDetail" } },
		errors: ["not_found"],
	},
	{
		method: "get",
		path: "/stats",
		id: "getStats",
		tag: "Stats",
		summary: "The last 24 hours and every endpoint's health",
		description:
			'Two different rates: "delivery success" is the share of the deliveries created in the window that ended `delivered` (of those that ended); an endpoint\'s `attempts_ok_rate_24h` is the share of its attempts in the window that got a 2xx.',
		success: { 200: { description: "The account's numbers.", schema: "Stats" } },
	},
];

const ACCOUNTS_API: Operation[] = [
	{
		method: "get",
		path: "/api/accounts",
		id: "listAccounts",
		tag: "Accounts",
		summary: "List accounts",
		description: "Live accounts ordered by uid, 50 a page, each with its endpoint count and health.",
		query: accountListSchema,
		success: { 200: { description: "A page of accounts.", schema: "AccountPage" } },
	},
	{
		method: "put",
		path: "/api/accounts/{uid}",
		id: "putAccount",
		tag: "Accounts",
		summary: "Create or rename an account",
		description: `Creates the account (its name defaults to the uid), or renames it when \`name\` is given and differs. The uid is ${UID_RULE}.`,
		parameters: [ref("parameters", "Uid")],
		body: "AccountPut",
		bodyOptional: true,
		success: {
			200: { description: "The account existed: renamed, or unchanged.", schema: "Account" },
			201: { description: "The account was created.", schema: "Account" },
		},
		errors: ["invalid_json", "validation_failed"],
		notes: { validation_failed: `The uid is not ${UID_RULE}, or \`name\` is not valid.` },
	},
	{
		method: "get",
		path: "/api/accounts/{uid}",
		id: "getAccount",
		tag: "Accounts",
		summary: "Get an account with its endpoint count and health",
		parameters: [ref("parameters", "Uid")],
		success: { 200: { description: "The account.", schema: "AccountSummary" } },
		errors: ["not_found"],
	},
	{
		method: "delete",
		path: "/api/accounts/{uid}",
		id: "deleteAccount",
		tag: "Accounts",
		summary: "Delete an account",
		description:
			"Takes effect at once: its endpoints are deleted (their pending and retrying deliveries cancelled), its portal sessions and unused admin links end, and every route of its uid answers 404. Its data is then purged by the cron in chunks; the uid can be created again, empty.",
		parameters: [ref("parameters", "Uid")],
		success: { 204: { description: "Deleted." } },
		errors: ["not_found", "account_protected"],
	},
	{
		method: "delete",
		path: "/api/accounts/{uid}/sessions",
		id: "endAccountSessions",
		tag: "Accounts",
		summary: "End every portal session of an account",
		description:
			"Ends every portal session of the account and, in the same transaction, revokes its admin links not yet used: opening one afterwards answers 410, so no link minted before this call signs anyone in.",
		parameters: [ref("parameters", "Uid")],
		success: { 204: { description: "Every portal session of the account has ended, and its unused links are revoked." } },
		errors: ["not_found"],
	},
	{
		method: "post",
		path: "/api/accounts/{uid}/admin-links",
		id: "createAdminLink",
		tag: "Accounts",
		summary: "Mint a one-time admin link to the account's portal",
		description: `How the helpdesk sends its signed-in admin to the account's portal: opening the link signs that browser in (for ACCOUNT_SESSION_HOURS) and spends it; a browser signed in to another account's portal is asked first, and the link is spent only when it continues. The link points to the first of PUBLIC_ORIGINS, else to the origin this request came to. Links last at most ${MAX_LINK_SECONDS} seconds.`,
		parameters: [ref("parameters", "Uid")],
		body: "AdminLinkRequest",
		bodyOptional: true,
		success: { 201: { description: "The link.", schema: "AdminLink" } },
		errors: ["not_found", "invalid_json", "validation_failed"],
	},
];

const INGEST_CHECKS =
	"Checks, in this order; each failure stores and queues nothing: 503 INGEST_TOKEN not set → 401 token → 404 unknown account (per-account route) → 415 content type → 413 size → 400 not UTF-8 → 503 malformed INGEST_SIGNING_SECRET → 401 signature (signed ingest) → 400 not JSON, no `payload` object or no `action_type` → 422 unknown `action_type` → 422 `Idempotency-Key` too long → 409 signed `webhook-id` already accepted for another account → 409 key reused with another body.";

const signatureHeader = (name: string, description: string) => ({
	name,
	in: "header",
	required: false,
	description,
	schema: { type: "string" },
});

const INGEST: Operation = {
	method: "post",
	path: "/events",
	id: "ingestEvent",
	tag: "Ingest",
	summary: "Accept a helpdesk event",
	description: `The body is SupportBee's \`{"payload": {"action_type": "<event>", …}}\`, at most 256 KB of UTF-8 (a leading BOM is accepted), kept byte for byte: every delivery carries exactly these bytes. The 202 is sent only after the event and all its deliveries are committed in one transaction. ${INGEST_CHECKS}`,
	parameters: [
		{
			name: "Idempotency-Key",
			in: "header",
			required: false,
			description:
				"Repeat a request with the same key and body within 24 h and you get 200 with the original answer; nothing new is created or sent. With signed ingest the `webhook-id` is the key instead.",
			schema: { type: "string", maxLength: 255 },
		},
		signatureHeader(
			"webhook-id",
			"Signed ingest only (INGEST_SIGNING_SECRET set): the message id. A repeat to the same account is the same event; one another account accepted in the last 5 minutes is refused (409 `idempotency_conflict`), since the signature does not cover the path.",
		),
		signatureHeader("webhook-timestamp", "Signed ingest only: Unix seconds, at most 5 minutes from now."),
		signatureHeader(
			"webhook-signature",
			'Signed ingest only: `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with INGEST_SIGNING_SECRET.',
		),
	],
	body: "SupportBeeEvent",
	bodyExample: "ticket.created",
	success: {
		200: { description: "A repeat (same `Idempotency-Key` and body within 24 h): the original answer.", schema: "IngestReceipt" },
		202: { description: "Stored, with one delivery per enabled endpoint subscribed to the event.", schema: "IngestReceipt" },
	},
	errors: [
		"unsupported_media_type",
		"payload_too_large",
		"invalid_utf8",
		"invalid_signature",
		"invalid_json",
		"missing_field",
		"unknown_event_type",
		"validation_failed",
		"idempotency_conflict",
	],
};

const SERVICE: Operation[] = [
	{
		method: "get",
		path: "/health",
		id: "getHealth",
		tag: "Service",
		summary: "Liveness",
		success: { 200: { description: "The Worker answers.", schema: "Health" } },
	},
	{
		method: "get",
		path: "/api/openapi.json",
		id: "getOpenApiDocument",
		tag: "Service",
		summary: "This OpenAPI document",
		description: "Public: it holds no data. Also readable as a page at /admin/api.",
		success: { 200: { description: "The OpenAPI 3.1 document.", schema: "OpenApiDocument" } },
	},
];

/** Headers Hivepost sets on every delivery (the endpoint's custom headers come along too), as components/parameters. */
const WEBHOOK_HEADERS = {
	WebhookId: {
		name: "webhook-id",
		in: "header",
		required: true,
		description: "The event id (`evt_…`): the same for every endpoint and every retry of one event. Dedupe on it.",
		schema: { type: "string" },
	},
	WebhookTimestamp: {
		name: "webhook-timestamp",
		in: "header",
		required: true,
		description: "Unix seconds of this attempt.",
		schema: { type: "string", pattern: "^[0-9]+$" },
	},
	WebhookSignature: {
		name: "webhook-signature",
		in: "header",
		required: true,
		description:
			'`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the endpoint\'s secret (the base64 after `whsec_`); for 24 h after a rotation, also one made with the replaced secret, space separated. Verify with any Standard Webhooks library, over the raw body bytes.',
		schema: { type: "string" },
	},
	UserAgent: {
		name: "User-Agent",
		in: "header",
		required: true,
		description: "`Hivepost/<version>`.",
		schema: { type: "string" },
	},
};

/** What a destination's answer means, as components/responses. */
const WEBHOOK_RESPONSES = {
	WebhookDelivered: { description: "Delivered: any 2xx ends the delivery. The response body is read up to 8 KB and kept in the attempt." },
	WebhookGone: {
		description:
			"Gone: stop. The delivery fails, the endpoint is disabled (with the reason shown) and its other pending retries are cancelled.",
	},
	WebhookFailed: {
		description:
			"Anything else is a failed attempt: another status (a 3xx too: redirects are never followed), a network error, or no answer within DELIVERY_TIMEOUT_MS. It is retried RETRY_INTERVAL_SECONDS later, up to MAX_RETRIES times; a 429 or 503 with `Retry-After` postpones the next attempt to no earlier than asked (up to 24 h).",
	},
};

/** The SupportBee body of one event type: `payload.action_type` is that type; the other members are those its sample carries. */
function webhookBody(actionType: EventType, sample: unknown): Json {
	const payload = (sample as { payload: Record<string, unknown> }).payload;
	const members = Object.keys(payload).filter((key) => key !== "action_type");
	return {
		type: "object",
		required: ["payload"],
		properties: {
			payload: {
				type: "object",
				required: ["action_type"],
				properties: {
					action_type: { const: actionType },
					...Object.fromEntries(members.map((member) => [member, { type: "object" }])),
				},
				description: `SupportBee's payload, passed through untouched: ${["action_type", ...members].map((member) => `\`${member}\``).join(", ")}.`,
			},
		},
	};
}

function webhooks(samples: Samples): Record<string, Record<string, unknown>> {
	return Object.fromEntries(
		EVENT_TYPES.map((actionType) => {
			const sample: unknown = JSON.parse(samples[actionType]);
			return [
				actionType,
				{
					post: {
						operationId: `deliver${actionType.replace(/(^|\.)([a-z])/g, (_, _dot, letter: string) => letter.toUpperCase())}`,
						tags: ["Webhooks"],
						summary: `${actionType}`,
						description: `Sent for every \`${actionType}\` event to each enabled endpoint subscribed to \`${actionType}\` or to \`${ALL_EVENTS}\`.`,
						parameters: Object.keys(WEBHOOK_HEADERS).map((name) => ref("parameters", name)),
						requestBody: { required: true, content: json(webhookBody(actionType, sample), sample) },
						responses: {
							"2XX": ref("responses", "WebhookDelivered"),
							"410": ref("responses", "WebhookGone"),
							default: ref("responses", "WebhookFailed"),
						},
					},
				},
			];
		}),
	);
}

/** Descriptions of request members, kept out of the Worker's schemas (metadata for zod's JSON Schema generator only). */
function describeRequestMembers(): void {
	const describe = (schema: z.ZodMiniType, description: string) =>
		z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), description });
	const eventsText = `Event types to receive, or \`["${ALL_EVENTS}"]\` for all; at least one.`;
	const headersText = `Custom request headers for the receiver's own auth: name → value, or null to remove it. At most ${MAX_CUSTOM_HEADERS} headers; values up to ${MAX_HEADER_VALUE_LENGTH} characters of visible ASCII, spaces and tabs; not the headers Hivepost sets itself (\`Content-Type\`, \`User-Agent\`, \`webhook-*\`, …) nor hop-by-hop ones. Values are write-only.`;
	describe(
		createEndpointSchema.shape.url,
		"An http(s) URL of a public destination, at most 2,048 characters, without user name or password.",
	);
	describe(createEndpointSchema.shape.events, `${eventsText} Default: all.`);
	describe(createEndpointSchema.shape.headers, headersText);
	describe(updateEndpointSchema.shape.url, "A new URL; the secret and history are kept.");
	describe(updateEndpointSchema.shape.enabled, "false cancels its pending and retrying deliveries; true clears `disabled_reason`.");
	describe(updateEndpointSchema.shape.events, eventsText);
	describe(updateEndpointSchema.shape.headers, `${headersText} Only the names given change.`);
	describe(replaceEndpointsSchema.shape.urls, "The URLs, separated by commas, semicolons or white space.");
	describe(testEventSchema.shape.action_type, "The event type whose sample payload is sent.");
	describe(redeliverSchema.shape.since, "Failed deliveries created at or after this time start over.");
	describe(deliveryFilterSchema.shape.status, "Only deliveries with this status.");
	describe(deliveryFilterSchema.shape.endpoint_id, "Only this endpoint's deliveries.");
	describe(deliveryFilterSchema.shape.event_type, "Only deliveries of events of this type.");
	describe(deliveryFilterSchema.shape.cursor, "The `next_cursor` of the previous page.");
	describe(eventFilterSchema.shape.event_type, "Only events of this type.");
	describe(eventFilterSchema.shape.cursor, "The `next_cursor` of the previous page.");
	describe(accountListSchema.shape.prefix, "Only accounts whose uid starts with this (exactly, case-sensitive).");
	describe(accountListSchema.shape.cursor, "The `next_cursor` of the previous page.");
	describe(
		putAccountSchema.shape.name,
		`A display name, 1 to ${MAX_ACCOUNT_NAME_LENGTH} characters (trimmed). Leave it out to keep the name (a new account is named by its uid).`,
	);
	describe(adminLinkRequestSchema.shape.expires_in, `Seconds the link stays usable, 1 to ${MAX_LINK_SECONDS}.`);
	describe(adminLinkRequestSchema.shape.read_only, "The portal session may see everything but change nothing.");
	describe(adminLinkRequestSchema.shape.admin, "Who the link is for, as the account's audit record shows it.");
}

const REQUESTS: Record<string, z.ZodMiniType> = {
	EndpointCreate: createEndpointSchema,
	EndpointUpdate: updateEndpointSchema,
	EndpointsReplace: replaceEndpointsSchema,
	TestEventRequest: testEventSchema,
	RedeliverRequest: redeliverSchema,
	AccountPut: putAccountSchema,
	AdminLinkRequest: adminLinkRequestSchema,
	SupportBeeEvent: z.looseObject({
		payload: z
			.looseObject({ action_type: z.enum(EVENT_TYPES) })
			.check(z.describe("The rest of the payload (`company`, `ticket`, `reply`, `agent`, …) is passed through untouched.")),
	}),
};

const RESPONSES: Record<string, z.ZodMiniType> = {
	Error: responses.errorSchema,
	DeliveryState: responses.deliveryStateSchema,
	Endpoint: responses.endpointSchema,
	CreatedEndpoint: responses.createdEndpointSchema,
	EndpointList: responses.endpointListSchema,
	ReplacedEndpoints: responses.replacedEndpointsSchema,
	Secret: responses.secretSchema,
	TestEventReceipt: responses.testEventReceiptSchema,
	Redelivered: responses.redeliveredSchema,
	Delivery: responses.deliverySchema,
	DeliveryPage: responses.deliveryPageSchema,
	Attempt: responses.attemptSchema,
	DeliveryDetail: responses.deliveryDetailSchema,
	RetryResult: responses.retryResultSchema,
	EventSummary: responses.eventSummarySchema,
	EventPage: responses.eventPageSchema,
	EventDetail: responses.eventDetailSchema,
	EndpointHealth: responses.endpointHealthSchema,
	Stats: responses.statsSchema,
	Account: responses.accountSchema,
	AccountSummary: responses.accountSummarySchema,
	AccountPage: responses.accountPageSchema,
	AdminLink: responses.adminLinkSchema,
	IngestReceipt: responses.ingestReceiptSchema,
	Health: responses.healthSchema,
};

/** Drops what zod adds that says nothing here: `$schema`/`$id`, the safe-integer bounds of every integer, and the datetime regex beside `format: date-time`. */
function tidy(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(tidy);
	if (typeof value !== "object" || value === null) return value;
	const entries = Object.entries(value).filter(([key, member]) => {
		if (key === "$schema" || key === "$id") return false;
		if (key === "minimum" && member === Number.MIN_SAFE_INTEGER) return false;
		if (key === "maximum" && member === Number.MAX_SAFE_INTEGER) return false;
		if (key === "pattern" && (value as Json).format === "date-time") return false;
		return true;
	});
	return Object.fromEntries(entries.map(([key, member]) => [key, tidy(member)]));
}

function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): Json {
	return tidy(z.toJSONSchema(schema, { io, unrepresentable: "any" })) as Json;
}

function componentSchemas(schemas: Record<string, z.ZodMiniType>, io: "input" | "output"): Record<string, Json> {
	const registry = z.registry<{ id: string }>();
	for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
	const { schemas: result } = z.toJSONSchema(registry, { io, unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` });
	return tidy(result) as Record<string, Json>;
}

const DESCRIPTION = `A webhook relay for helpdesks: the helpdesk sends each ticket event to \`POST /events\`, and Hivepost POSTs it, signed (Standard Webhooks), to every registered URL subscribed to it, recording every attempt and retrying failures (see the webhooks: one per event type).

**Accounts.** Every installation has the \`default\` account: \`POST /events\` and \`/api/…\` act on it. Any account's twins are \`POST /accounts/{uid}/events\` and \`/api/accounts/{uid}/…\`.

**The operator's API** (\`/api/…\`) takes \`Authorization: Bearer <ADMIN_TOKEN>\`, the admin page's session cookie, or in Cloudflare Access mode the Access JWT. Requests without a bearer token meet a CSRF check: cross-site browser form posts are refused (403). Every response carries \`Cache-Control: no-store\` and \`X-Request-Id\`.

**Errors** are JSON: \`{"error": "<what is wrong and how to fix it>", "code": "<stable cause>", "fields"?: {"<name>": "<problem>"}}\`, plus \`request_id\` on a 500. Each code always comes with the same status; each operation lists the codes it can answer.`;

/** The whole OpenAPI 3.1 document. */
export function buildOpenApiDocument(samples: Samples): OpenApiDocument {
	describeRequestMembers();
	const paths: Record<string, Record<string, unknown>> = {};
	const errors = new ErrorResponses();
	const build = (list: Operation[], surface: Surface, twin: boolean, prefix = "") =>
		list.map((op) => ({ path: prefix + op.path, op, operation: operationObject(op, surface, twin, errors, samples) }));
	// Built in this order, so each shared error response is named after its plainest use (see ErrorResponses)…
	const defaultApi = build(ACCOUNT_API, "operator", false, "/api");
	const accounts = build(ACCOUNTS_API, "accounts", false);
	const twins = build(ACCOUNT_API, "operator", true, "/api/accounts/{uid}");
	const service = build(SERVICE, "public", false);
	const ingest = [...build([INGEST], "ingest", false), ...build([INGEST], "ingest", true, "/accounts/{uid}")];
	// …and listed in this one.
	for (const { path, op, operation } of [...ingest, ...service, ...defaultApi, ...accounts, ...twins]) {
		paths[path] ??= {};
		paths[path][op.method] = operation;
	}
	return {
		openapi: "3.1.0",
		info: { title: "Hivepost", version, description: DESCRIPTION },
		servers: [{ url: "/" }],
		tags: [...Object.entries(TAGS).map(([name, description]) => ({ name, description }))],
		security: [{ adminToken: [] }, { adminSession: [] }, { accessJwt: [] }],
		paths,
		webhooks: webhooks(samples),
		components: {
			securitySchemes: {
				adminToken: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <ADMIN_TOKEN>`: the operator's API." },
				adminSession: {
					type: "apiKey",
					in: "cookie",
					name: "__Host-hivepost_session",
					description: "The admin page's session (after signing in at /admin); `hivepost_session` on a plain-HTTP local origin.",
				},
				accessJwt: {
					type: "apiKey",
					in: "header",
					name: "Cf-Access-Jwt-Assertion",
					description: "Cloudflare Access mode (ACCESS_TEAM_DOMAIN and ACCESS_AUD set): added by Access.",
				},
				ingestToken: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <INGEST_TOKEN>`: ingest." },
				supportBeeKey: {
					type: "apiKey",
					in: "header",
					name: "X-SupportBee-Key",
					description: "The ingest token, for senders that speak SupportBee.",
				},
			},
			responses: { ...errors.components, ...WEBHOOK_RESPONSES },
			parameters: {
				Uid: {
					name: "uid",
					in: "path",
					required: true,
					description: `The account's uid: ${UID_RULE}.`,
					schema: { type: "string", pattern: UID_PATTERN.source },
				},
				EndpointId: idParameter("endpoint", "ep"),
				DeliveryId: idParameter("delivery", "dlv"),
				EventId: idParameter("event", "evt"),
				...WEBHOOK_HEADERS,
			},
			schemas: {
				...componentSchemas(RESPONSES, "output"),
				...componentSchemas(REQUESTS, "input"),
				OpenApiDocument: { type: "object", required: ["openapi", "info"], description: "An OpenAPI 3.1 document." },
			},
		},
	};
}
