/**
 * A small client for Hivepost's HTTP API, shared by the benchmark, the demo and
 * the end-to-end tests: ingest (the default account's `POST /events` or an
 * account's `POST /accounts/{uid}/events`) and the operator's JSON API (the
 * default account's under `/api`, another's under `/api/accounts/{uid}`).
 *
 * Every method answers `{ status, body }` (the body parsed when it is JSON) and
 * throws `UnexpectedStatus` when the status is not the one the route answers on
 * success. Tests that assert statuses themselves pass `{ expect: 422 }` (or
 * `"any"`), or take the raw `Response` from `request`.
 *
 * The body types name some of each answer's fields, as the API spells them;
 * nothing checks them at run time. Every field is in static/api/openapi.json.
 * No Node imports, so it also runs inside workerd: pass a `fetch` that calls the
 * Worker (`(request) => exports.default.fetch(request)`; `SELF` is deprecated).
 */

export interface HivepostClientOptions {
	/** Where Hivepost answers, e.g. `http://127.0.0.1:8787`. */
	url: string;
	/** ADMIN_TOKEN: the operator's JSON API. */
	operatorToken: string;
	/** INGEST_TOKEN: ingest. */
	ingestToken: string;
	/** The global `fetch` unless given. */
	fetch?: (request: Request) => Promise<Response>;
}

/** A move of an account to another database under way, as GET /api/accounts/{uid} shows it. */
export interface AccountMove {
	state: "copying" | "switching" | "cleaning";
	copied_rows: number;
	started_at: string;
}

export interface Reply<T> {
	status: number;
	body: T;
}

export interface RequestOptions {
	/** Sent as is when a string, else as JSON; either way with `content-type: application/json` unless `headers` say otherwise. */
	body?: unknown;
	/** The bearer token; each method sends its route's own unless told: another (a wrong one, say), or null for none. */
	token?: string | null;
	/** Sent last, so they can replace the ones above. */
	headers?: Record<string, string>;
}

export interface CallOptions extends Omit<RequestOptions, "body"> {
	/** The status to accept instead of the route's success status; "any" accepts whatever comes. */
	expect?: number | "any";
}

export interface IngestOptions extends CallOptions {
	/** The account's uid: `POST /accounts/{uid}/events`; the default account's `POST /events` when left out. */
	account?: string;
	idempotencyKey?: string;
	/** Where the ingest token goes: `authorization` (as a bearer token, the default) or `x-supportbee-key`. */
	tokenHeader?: "authorization" | "x-supportbee-key";
}

/** A status other than the one expected: says which request, what came back and what was expected. */
export class UnexpectedStatus extends Error {
	readonly status: number;
	/** The answer's body, as text. */
	readonly text: string;

	constructor(method: string, path: string, status: number, text: string, expected: number) {
		// An error's body says what is wrong; a success's may hold a signing secret, which stays out of the message.
		const said = status >= 200 && status < 300 ? "" : `: ${text.slice(0, 500)}`;
		super(`${method} ${path} answered ${status} (expected ${expected})${said}`);
		this.name = "UnexpectedStatus";
		this.status = status;
		this.text = text;
	}
}

export interface IngestReceipt {
	event_id: string;
	action_type: string;
	deliveries: number;
}

export interface EndpointInput {
	url: string;
	/** Event types, or `["*"]` (the default) for all. */
	events?: string[];
	/** Header name → value, or null to remove it. */
	headers?: Record<string, string | null>;
}

export interface Endpoint {
	id: string;
	url: string;
	events: string[];
	enabled: boolean;
	/** Name → a masked hint of the value. */
	headers: Record<string, string>;
	delivery_state: { state: "healthy" | "slow" | "isolated" | "saturated" | "throttled"; oldest_waiting_at: string | null };
	updated_at: string;
}

export interface Attempt {
	number: number | null;
	manual: boolean;
	started_at: string;
	status_code: number | null;
	error: string | null;
	succeeded: boolean;
}

export interface Delivery {
	id: string;
	event_id: string;
	endpoint_id: string;
	status: "pending" | "retrying" | "delivered" | "failed" | "cancelled";
	attempt_count: number;
}

export type DeliveryFilter = {
	status?: Delivery["status"];
	endpoint_id?: string;
	event_type?: string;
	cursor?: string;
};

export interface EventSummary {
	id: string;
	action_type: string;
	deliveries: number;
}

export interface Stats {
	events_received_24h: number;
	deliveries_delivered_24h: number;
	deliveries_failed_24h: number;
	/** Since when the account's longest-waiting due delivery waits; null when none does. */
	oldest_waiting_at: string | null;
	endpoints: { endpoint_id: string; attempts_24h: number; retrying: number }[];
}

export interface Account {
	uid: string;
	name: string;
	/** The binding of the database that holds its data. */
	database: string;
}

export interface AdminLinkRequest {
	admin?: string;
	expires_in?: number;
	read_only?: boolean;
}

type Page<Name extends string, Item> = { [K in Name]: Item[] } & { next_cursor: string | null };

/** `?a=1&b=2` of the members that are set, or nothing. */
function queryString(query: Record<string, string | undefined> = {}): string {
	const set = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined);
	return set.length ? `?${new URLSearchParams(set)}` : "";
}

export function hivepostClient({ url, operatorToken, ingestToken, fetch: send = (request) => fetch(request) }: HivepostClientOptions) {
	/** Any request to Hivepost, answered as it came: nothing checked, nothing read. */
	function request(method: string, path: string, { body, token, headers }: RequestOptions = {}): Promise<Response> {
		return send(
			new Request(`${url}${path}`, {
				method,
				headers: {
					...(body === undefined ? {} : { "content-type": "application/json" }),
					...(token ? { authorization: `Bearer ${token}` } : {}),
					...headers,
				},
				body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
			}),
		);
	}

	/** A request whose status must be `success` (or what `expect` says); the answer is read and parsed. */
	async function call<T>(method: string, path: string, success: number, callOptions: RequestOptions & CallOptions = {}): Promise<Reply<T>> {
		const { expect = success, ...init } = callOptions;
		const response = await request(method, path, init);
		const text = await response.text();
		if (expect !== "any" && response.status !== expect) throw new UnexpectedStatus(method, path, response.status, text, expect);
		const json = response.headers.get("content-type")?.startsWith("application/json") ?? false;
		return { status: response.status, body: (json ? JSON.parse(text) : text) as T };
	}

	/** The operator's API of one account, under `prefix` (`/api`, or `/api/accounts/{uid}`). */
	function accountApi(prefix: string) {
		const operator = <T>(method: string, path: string, success: number, body?: unknown, callOptions: CallOptions = {}) =>
			call<T>(method, `${prefix}${path}`, success, { token: operatorToken, body, ...callOptions });
		return {
			listEndpoints: (o?: CallOptions) => operator<{ endpoints: Endpoint[] }>("GET", "/endpoints", 200, undefined, o),
			createEndpoint: (input: EndpointInput, o?: CallOptions) =>
				operator<Endpoint & { secret: string }>("POST", "/endpoints", 201, input, o),
			/** Update App: the endpoints become exactly `urls` (separated by commas or whitespace). */
			replaceEndpoints: (urls: string, o?: CallOptions) => operator<{ endpoints: Endpoint[] }>("PUT", "/endpoints", 200, { urls }, o),
			getEndpoint: (id: string, o?: CallOptions) => operator<Endpoint>("GET", `/endpoints/${id}`, 200, undefined, o),
			updateEndpoint: (id: string, changes: Partial<EndpointInput> & { enabled?: boolean }, o?: CallOptions) =>
				operator<Endpoint>("PATCH", `/endpoints/${id}`, 200, changes, o),
			/** Deletes it and cancels its unfinished deliveries. */
			deleteEndpoint: (id: string, o?: CallOptions) => operator<string>("DELETE", `/endpoints/${id}`, 204, undefined, o),
			endpointSecret: (id: string, o?: CallOptions) => operator<{ secret: string }>("GET", `/endpoints/${id}/secret`, 200, undefined, o),
			rotateSecret: (id: string, o?: CallOptions) =>
				operator<{ secret: string }>("POST", `/endpoints/${id}/rotate-secret`, 200, undefined, o),
			sendTestEvent: (id: string, actionType: string, o?: CallOptions) =>
				operator<{ event_id: string; delivery_id: string }>("POST", `/endpoints/${id}/test`, 202, { action_type: actionType }, o),
			/** Starts over the endpoint's failed deliveries created since `since` (an ISO 8601 time). */
			redeliver: (id: string, since: string, o?: CallOptions) =>
				operator<{ redelivered: number }>("POST", `/endpoints/${id}/redeliver`, 202, { since }, o),
			listDeliveries: (filter: DeliveryFilter = {}, o?: CallOptions) =>
				operator<Page<"deliveries", Delivery>>("GET", `/deliveries${queryString(filter)}`, 200, undefined, o),
			getDelivery: (id: string, o?: CallOptions) =>
				operator<Delivery & { attempts: Attempt[] }>("GET", `/deliveries/${id}`, 200, undefined, o),
			/** Retry now: one manual attempt, made before it answers. */
			retryDelivery: (id: string, o?: CallOptions) =>
				operator<{ delivery_status: string; attempt: Attempt }>("POST", `/deliveries/${id}/retry`, 200, undefined, o),
			listEvents: (filter: { event_type?: string; cursor?: string } = {}, o?: CallOptions) =>
				operator<Page<"events", EventSummary>>("GET", `/events${queryString(filter)}`, 200, undefined, o),
			getEvent: (id: string, o?: CallOptions) =>
				operator<Omit<EventSummary, "deliveries"> & { body: string; deliveries: Delivery[] }>("GET", `/events/${id}`, 200, undefined, o),
			stats: (o?: CallOptions) => operator<Stats>("GET", "/stats", 200, undefined, o),
		};
	}

	/** The operator's accounts API: `/api/accounts`, or one account's `/api/accounts/{uid}`. */
	const accountsApi = <T>(method: string, uid: string | null, path: string, success: number, body?: unknown, o: CallOptions = {}) =>
		call<T>(method, `/api/accounts${uid === null ? "" : `/${encodeURIComponent(uid)}`}${path}`, success, {
			token: operatorToken,
			body,
			...o,
		});

	return {
		request,
		/** Any route, with the operator's token unless told otherwise; the status must be 200 unless `expect` says otherwise. */
		call: <T = unknown>(method: string, path: string, o: RequestOptions & CallOptions = {}) =>
			call<T>(method, path, 200, { token: operatorToken, ...o }),
		health: (o?: CallOptions) => call<{ ok: true }>("GET", "/health", 200, o),
		/**
		 * Sends one event (a JSON text, sent byte for byte, or a value to serialize); 202 with its receipt
		 * (a repeat of an Idempotency-Key answers 200 with the first receipt: `{ expect: 200 }`).
		 * Signed ingest: the webhook-id, webhook-timestamp and webhook-signature headers go in `headers`.
		 */
		ingest(body: unknown, options: IngestOptions = {}) {
			const { account, idempotencyKey, tokenHeader = "authorization", token = ingestToken, headers, expect } = options;
			const path = account === undefined ? "/events" : `/accounts/${encodeURIComponent(account)}/events`;
			const sent: Record<string, string> = {};
			if (token !== null) sent[tokenHeader] = tokenHeader === "authorization" ? `Bearer ${token}` : token;
			if (idempotencyKey !== undefined) sent["idempotency-key"] = idempotencyKey;
			return call<IngestReceipt>("POST", path, 202, { body, expect, headers: { ...sent, ...headers } });
		},
		/** The default account's API (`/api/…`). */
		...accountApi("/api"),
		/** Another account's API (`/api/accounts/{uid}/…`). */
		account: (uid: string) => accountApi(`/api/accounts/${encodeURIComponent(uid)}`),
		accounts: {
			list: (query: { prefix?: string; cursor?: string } = {}, o?: CallOptions) =>
				accountsApi<Page<"accounts", Account>>("GET", null, queryString(query), 200, undefined, o),
			/** `PUT /api/accounts/{uid}`: creates the account (201); `{ expect: 200 }` when it exists already (it is renamed). */
			create: (uid: string, input: { name?: string } = {}, o?: CallOptions) => accountsApi<Account>("PUT", uid, "", 201, input, o),
			get: (uid: string, o?: CallOptions) =>
				accountsApi<Account & { endpoints: number; bursting: boolean; moving_to: string | null; move: AccountMove | null }>(
					"GET",
					uid,
					"",
					200,
					undefined,
					o,
				),
			/** `POST /api/accounts/{uid}/move`: starts moving the account's data to the database bound as `database` (202). */
			move: (uid: string, database: string, o?: CallOptions) =>
				accountsApi<{ uid: string; database: string; moving_to: string }>("POST", uid, "/move", 202, { database }, o),
			/** Deletes the account and its endpoints, cancelling their unfinished deliveries. */
			delete: (uid: string, o?: CallOptions) => accountsApi<string>("DELETE", uid, "", 204, undefined, o),
			/** Ends the account's portal sessions and unused admin links. */
			revokeSessions: (uid: string, o?: CallOptions) => accountsApi<string>("DELETE", uid, "/sessions", 204, undefined, o),
			adminLink: (uid: string, input: AdminLinkRequest = {}, o?: CallOptions) =>
				accountsApi<{ url: string; expires_at: string }>("POST", uid, "/admin-links", 201, input, o),
		},
		/** The operator's operational endpoints (`/api/operational-endpoints`). */
		operationalEndpoints: {
			create: (input: { url: string; events?: string[] }, o?: CallOptions) =>
				call<{ id: string; url: string; secret: string }>("POST", "/api/operational-endpoints", 201, {
					token: operatorToken,
					body: input,
					...o,
				}),
		},
	};
}

export type HivepostClient = ReturnType<typeof hivepostClient>;
