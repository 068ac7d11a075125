/**
 * The response bodies of the HTTP API as zod schemas: what the OpenAPI
 * document says each route answers (scripts/openapi.ts turns them into JSON
 * Schema at build time). Only the document's generator and the tests import
 * this module; the Worker never validates its own responses.
 *
 * Each schema is checked at compile time against the type the code returns
 * (same property names, and the code's values fit the schema), and
 * test/admin/openapi.test.ts checks real responses against the document.
 */
import * as z from "zod/mini";
import type { AccountSummary, AccountView } from "../accounts/summary";
import { DELIVERY_STATUSES } from "../db/schema";
import type { DeliveryState } from "../delivery/isolation";
import type { EndpointView, secretView } from "../endpoints/endpointStore";
import { ALL_EVENTS, EVENT_TYPES } from "../events";
import { ERROR_CODES, type ErrorBody } from "../http/errors";
import type { IngestReceipt } from "../ingest/storeEvent";
import type { DeliveryDetail, DeliveryView, manualAttemptView } from "./deliveryLog";
import type { EventSummary } from "./eventLog";
import type { EndpointHealth } from "./stats";

const text = (description: string) => z.string().check(z.describe(description));
const count = (description: string) => z.int().check(z.minimum(0), z.describe(description));
const flag = (description: string) => z.boolean().check(z.describe(description));
const time = (description: string) => z.string().check(z.meta({ format: "date-time", description }));
const maybe = <T extends z.ZodMiniType>(schema: T, description: string) => z.nullable(schema).check(z.describe(description));

const eventType = z.enum(EVENT_TYPES);
const cursor = maybe(z.string(), "Pass it as `cursor` for the next page; null on the last page.");

export const errorSchema = z.object({
	error: text("What is wrong and how to fix it, in words."),
	code: z.enum(ERROR_CODES).check(z.describe("The stable cause; each code always comes with the same status.")),
	fields: z.optional(
		z.record(z.string(), z.string()).check(z.describe("The inputs that are wrong: name (a dotted path for nested members) → problem.")),
	),
	request_id: z.optional(text("On a 500 only: the request id (also in the `X-Request-Id` header) to find the Worker's log line.")),
});

export const deliveryStateSchema = z.object({
	state: z
		.enum(["healthy", "slow", "isolated", "saturated"])
		.check(
			z.describe(
				"Why the endpoint's deliveries wait, if they do. `healthy`: nothing holds them. `slow`: an attempt was still unanswered after the slow threshold (a second, or half of DELIVERY_TIMEOUT_MS if shorter), so its deliveries go through the isolation lane until `until`. `isolated`: an attempt got no answer within DELIVERY_TIMEOUT_MS (unresponsive), same lane and period. `saturated`: a due delivery has waited over a minute for its attempt (shown instead of the others): more arrives than the endpoint takes at its limit of 3 requests in flight per invocation.",
			),
		),
	until: maybe(time("When the isolation ends (the endpoint is re-checked then)."), "When the isolation ends; null when not isolated."),
	in_flight: count("Requests from Hivepost to this endpoint in flight now."),
	oldest_waiting_at: maybe(time("When the longest-waiting due delivery became due."), "Null when no due delivery waits."),
});

const endpointFields = {
	id: text("The endpoint's id (`ep_…`)."),
	url: text("The destination, in canonical form."),
	events: z.array(z.enum([ALL_EVENTS, ...EVENT_TYPES])).check(z.describe('The event types it receives, or `["*"]` for all.')),
	enabled: flag("Disabled endpoints receive nothing; disabling cancels their pending and retrying deliveries."),
	disabled_reason: maybe(z.string(), "Why Hivepost disabled it by itself (the destination answered 410 Gone); null otherwise."),
	headers: z
		.record(z.string(), z.string())
		.check(z.describe("Custom request headers: name (lower case) → a masked hint of the value. Values are write-only.")),
	delivery_state: deliveryStateSchema,
	created_at: time("When it was registered."),
	updated_at: time("When it last changed."),
};

export const endpointSchema = z.object(endpointFields);

const signingSecret = text(
	"The signing secret, `whsec_<base64 of 32 random bytes>`: verify deliveries with any Standard Webhooks library.",
);

export const createdEndpointSchema = z.object({ ...endpointFields, secret: signingSecret });

export const endpointListSchema = z.object({ endpoints: z.array(endpointSchema) });

export const replacedEndpointsSchema = z.object({
	endpoints: z
		.array(z.object({ ...endpointFields, secret: z.optional(signingSecret) }))
		.check(z.describe("The whole set in the order given; only the endpoints created by this request carry their `secret`.")),
});

export const secretSchema = z.object({
	secret: signingSecret,
	previous_secret_expires_at: maybe(
		time("Until then deliveries also carry signatures made with the secrets replaced by rotations."),
		"When the last secret replaced by a rotation stops signing; null when none signs any more.",
	),
});

export const testEventReceiptSchema = z.object({
	event_id: text("The new test event's id (`evt_…`): the `webhook-id` the endpoint receives."),
	delivery_id: text("Its one delivery (`dlv_…`)."),
});

export const redeliveredSchema = z.object({
	redelivered: count("Failed deliveries started over (at most 1,000 per request: repeat it for more)."),
});

export const deliverySchema = z.object({
	id: text("The delivery's id (`dlv_…`): one event to one endpoint."),
	event_id: text("The event's id, sent as `webhook-id`."),
	endpoint_id: text("The endpoint's id."),
	endpoint_url: text("The endpoint's URL now."),
	endpoint_deleted: flag("Its endpoint was deleted: it stays in the log but cannot be retried."),
	action_type: eventType,
	test: flag("A test event sent from the admin page or the API."),
	status: z
		.enum(DELIVERY_STATUSES)
		.check(
			z.describe(
				"`pending`: first attempt not made yet; `retrying`: failed, next automatic attempt scheduled; `delivered`: a 2xx; `failed`: automatic attempts used up (or 410 Gone); `cancelled`: its endpoint was disabled or deleted first.",
			),
		),
	attempt_count: count("Automatic attempts made (manual ones are not counted)."),
	next_attempt_at: maybe(time("When the next automatic attempt is due."), "Null once the delivery is finished."),
	created_at: time("When the event was accepted."),
	updated_at: time("When its status last changed."),
});

export const deliveryPageSchema = z.object({
	deliveries: z.array(deliverySchema).check(z.describe("Newest first, at most 50.")),
	next_cursor: cursor,
});

export const attemptSchema = z.object({
	number: maybe(z.int().check(z.minimum(1)), "1 for the first automatic attempt, 2 for its first retry, …; null for a manual one."),
	manual: flag("Made by Retry now, outside the automatic count."),
	started_at: time("When the request was sent."),
	duration_ms: count("Until the status line, or the failure."),
	status_code: maybe(z.int(), "The destination's status; null when no answer came (network error, timeout, refused destination)."),
	error: maybe(z.string(), "What went wrong (`HTTP 500`, `timed out: …`, `network error: …`), or a note on a 2xx whose body broke off."),
	response_body: maybe(z.string(), "The first 8 KB of the destination's answer."),
	succeeded: flag("A 2xx."),
});

export const deliveryDetailSchema = z.object({
	...deliverySchema.shape,
	attempts: z.array(attemptSchema).check(z.describe("Every attempt, oldest first.")),
});

export const retryResultSchema = z.object({
	delivery_status: z
		.enum([...DELIVERY_STATUSES, "unknown"])
		.check(z.describe("The delivery's status after the attempt (`unknown` only if the delivery was purged meanwhile).")),
	attempt: attemptSchema,
});

const eventFields = {
	id: text("The event's id (`evt_…`), sent as `webhook-id`."),
	action_type: eventType,
	test: flag("A test event sent from the admin page or the API."),
	received_at: time("When it was accepted."),
};

export const eventSummarySchema = z.object({ ...eventFields, deliveries: count("Deliveries created for it.") });

export const eventPageSchema = z.object({
	events: z.array(eventSummarySchema).check(z.describe("Newest first, at most 50; also events no endpoint was subscribed to.")),
	next_cursor: cursor,
});

export const eventDetailSchema = z.object({
	...eventFields,
	body: text("The body exactly as received, as text: what every delivery of it carries."),
	deliveries: z.array(deliverySchema),
});

export const endpointHealthSchema = z.object({
	endpoint_id: text("The endpoint's id."),
	last_attempt_at: maybe(time("The newest attempt."), "Null before its first attempt."),
	last_status_code: maybe(z.int(), "The newest attempt's status."),
	last_succeeded: maybe(z.boolean(), "Whether the newest attempt got a 2xx."),
	last_error: maybe(z.string(), "The newest attempt's error."),
	attempts_ok_rate_24h: maybe(z.number().check(z.minimum(0), z.maximum(1)), "Share of its attempts in the last 24 h that got a 2xx."),
	attempts_24h: count("Its attempts in the last 24 h."),
	retrying: count("Its deliveries waiting for a retry now."),
	failed_24h: count("Its deliveries created in the last 24 h that failed."),
});

export const statsSchema = z.object({
	since: time("The window's start: 24 h ago."),
	events_received_24h: count("Helpdesk events received (test events not counted)."),
	deliveries_delivered_24h: count("Deliveries created in the window that were delivered."),
	deliveries_failed_24h: count("Deliveries created in the window that failed."),
	delivery_success_rate_24h: maybe(
		z.number().check(z.minimum(0), z.maximum(1)),
		"delivered / (delivered + failed) among deliveries created in the window; null when none ended.",
	),
	events_per_hour: z
		.array(z.object({ hour: time("The hour's start."), events: count("Helpdesk events received in it.") }))
		.check(z.describe("24 entries, oldest first; the last is the current hour.")),
	endpoints: z.array(endpointHealthSchema).check(z.describe("Every live endpoint's health, in the order they were added.")),
});

const accountFields = {
	uid: text("The helpdesk's own identifier for the account."),
	name: text("A display name; the uid unless one was given."),
	created_at: time("When it was created."),
};

export const accountSchema = z.object(accountFields);

export const accountSummarySchema = z.object({
	...accountFields,
	endpoints: count("Its live endpoints."),
	health: z.object({
		failing_endpoints: count("Live endpoints whose newest attempt failed."),
		deliveries_failed_24h: count("Deliveries created in the last 24 h that failed."),
	}),
});

export const accountPageSchema = z.object({
	accounts: z.array(accountSummarySchema).check(z.describe("Ordered by uid, at most 50.")),
	next_cursor: cursor,
});

export const adminLinkSchema = z.object({
	url: text("The one-time link: opening it signs that browser in to the account's portal, once."),
	expires_at: time("When the link stops working if unused."),
});

export const ingestReceiptSchema = z.object({
	event_id: text("The event's id (`evt_…`): every delivery of it carries it as `webhook-id`."),
	action_type: eventType,
	deliveries: count("Enabled endpoints subscribed to the event: one delivery each."),
});

export const healthSchema = z.object({ ok: z.literal(true) });

// Compile-time checks: each schema names exactly the properties the code returns, and the code's values fit it.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Fits<Code, Schema extends z.ZodMiniType> = [
	Same<keyof Code, keyof z.output<Schema>>,
	Code extends Loose<z.output<Schema>> ? true : false,
];
/** The schema's type with enums widened to string: the code's row types say `string` where the document says which strings. */
type Loose<T> = T extends string
	? string
	: T extends readonly (infer Item)[]
		? Loose<Item>[]
		: T extends object
			? { [K in keyof T]: Loose<T[K]> }
			: T;
type Statistics = Omit<import("./stats").Stats, "health"> & { endpoints: EndpointHealth[] };
type EventDetail = Awaited<ReturnType<typeof import("./eventLog").eventDetail>>;
type AdminLink = Awaited<ReturnType<typeof import("../accounts/links").mintAdminLink>>;
type TestReceipt = Awaited<ReturnType<typeof import("../endpoints/deliveryActions").sendTestEvent>>;
const checks: [true, true][] = [
	[true, true] satisfies Fits<ErrorBody, typeof errorSchema>,
	[true, true] satisfies Fits<DeliveryState, typeof deliveryStateSchema>,
	[true, true] satisfies Fits<Omit<EndpointView, "secret">, typeof endpointSchema>,
	[true, true] satisfies Fits<Required<EndpointView>, typeof createdEndpointSchema>,
	[true, true] satisfies Fits<ReturnType<typeof secretView>, typeof secretSchema>,
	[true, true] satisfies Fits<TestReceipt, typeof testEventReceiptSchema>,
	[true, true] satisfies Fits<DeliveryView, typeof deliverySchema>,
	[true, true] satisfies Fits<DeliveryDetail, typeof deliveryDetailSchema>,
	[true, true] satisfies Fits<ReturnType<typeof manualAttemptView>, typeof attemptSchema>,
	[true, true] satisfies Fits<EventSummary, typeof eventSummarySchema>,
	[true, true] satisfies Fits<EventDetail, typeof eventDetailSchema>,
	[true, true] satisfies Fits<EndpointHealth, typeof endpointHealthSchema>,
	[true, true] satisfies Fits<Statistics, typeof statsSchema>,
	[true, true] satisfies Fits<AccountView, typeof accountSchema>,
	[true, true] satisfies Fits<AccountSummary, typeof accountSummarySchema>,
	[true, true] satisfies Fits<AdminLink, typeof adminLinkSchema>,
	[true, true] satisfies Fits<IngestReceipt, typeof ingestReceiptSchema>,
];
void checks;
