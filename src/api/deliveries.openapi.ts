/**
 * The OpenAPI description of …/deliveries (api/deliveries.ts): its
 * operations, and what the members of its query and responses mean. Build
 * time only: the Worker never imports it (openapi/build.ts does).
 */
import { describe, describeMembers, inner, LIST_FILTERS, NEXT_CURSOR, PREV_CURSOR, type ResourceDoc, ref } from "../openapi/operations";
import { DELIVERY_PAGE_SIZE, deliveryFilterSchema, SCAN_LIMIT } from "../reports/filters";
import {
	attemptSchema,
	deliveryDetailSchema,
	deliveryPageSchema,
	deliverySchema,
	errorKindSchema,
	lastAttemptSchema,
	retryResultSchema,
} from "../reports/reportResponses";

const ON_READ = `Matches each delivery's newest attempt; checked on the rows read, not through an index, so a page may read up to ${SCAN_LIMIT} rows and hold fewer than ${DELIVERY_PAGE_SIZE} (then \`next_cursor\` goes on from where it stopped).`;

function describeFields(): void {
	describeMembers(deliveryFilterSchema, {
		status: "Only deliveries with this status.",
		endpoint_id: "Only this endpoint's deliveries.",
		event_type: "Only deliveries of events of this type.",
		error_kind: `Only deliveries whose newest attempt failed with this kind. ${ON_READ}`,
		http_status: `Only deliveries whose newest attempt got this status. ${ON_READ}`,
		failing:
			"`true`: only deliveries failing now: pending or retrying, their newest attempt failed (through the unfinished deliveries' indexes).",
		...LIST_FILTERS("deliveries", "created"),
	});
	describeMembers(deliverySchema, {
		id: "The delivery's id (`dlv_…`): one event to one endpoint.",
		event_id: "The event's id, sent as `webhook-id`.",
		endpoint_id: "The endpoint's id.",
		endpoint_url: "The endpoint's URL now.",
		endpoint_deleted: "Its endpoint was deleted: it stays in the log but cannot be retried.",
		ticket_id: "Its event's helpdesk ticket (`payload.ticket.id`, as text); null when the event names none.",
		last_attempt: ["Null before its first attempt.", "Its newest attempt, automatic or manual, without the response."],
		test: "A test event sent from the admin page or the API.",
		status:
			"`pending`: first attempt not made yet; `retrying`: failed, next automatic attempt scheduled; `delivered`: a 2xx; `failed`: automatic attempts used up (or 410 Gone); `cancelled`: its endpoint was disabled or deleted first.",
		attempt_count: "Automatic attempts made (manual ones are not counted).",
		next_attempt_at: ["Null once the delivery is finished.", "When the next automatic attempt is due."],
		created_at: "When the event was accepted.",
		updated_at: "When its status last changed.",
	});
	describeMembers(deliveryPageSchema, {
		deliveries: `Newest first, at most ${DELIVERY_PAGE_SIZE}.`,
		next_cursor: NEXT_CURSOR,
		prev_cursor: PREV_CURSOR,
	});
	describeMembers(lastAttemptSchema, {
		started_at: "When it was sent.",
		duration_ms: "Until the status line, or the failure.",
		status_code: "The destination's status; null when no answer came.",
		manual: "Made by Retry now.",
		succeeded: "A 2xx.",
	});
	describe(
		inner(errorKindSchema),
		"What went wrong, derived from the status and the error: `timeout`, `connection` (nothing listening, or the connection dropped), `dns`, `tls`, `redirect` (3xx: not followed), `auth` (401, 403), `not_found` (404), `gone` (410), `rate_limited` (429), `server_error` (5xx), `client_error` (other 4xx), `network` (anything else). On Cloudflare a failed DNS lookup or TLS handshake may come back as a 5xx from Cloudflare itself: then `server_error`. docs/operations.md has a hint for each.",
	);
	describe(errorKindSchema, "Null for a success.");
	describeMembers(attemptSchema, {
		number: "1 for the first automatic attempt, 2 for its first retry, …; null for a manual one.",
		manual: "Made by Retry now, outside the automatic count.",
		started_at: "When the request was sent.",
		duration_ms: "Until the status line, or the failure.",
		status_code: "The destination's status; null when no answer came (network error, timeout, refused destination).",
		error: "What went wrong (`HTTP 500`, `timed out: …`, `network error: …`), or a note on a 2xx whose body broke off.",
		error_kind: "The error's kind (see `error_kind` of the list); null for a success.",
		response_body:
			"The first 8 KB of the destination's answer; for an automatic attempt that succeeded with nothing to note, its first 120 characters.",
		succeeded: "A 2xx.",
	});
	describeMembers(deliveryDetailSchema, { attempts: "Every attempt, oldest first." });
	describeMembers(retryResultSchema, {
		delivery_status: "The delivery's status after the attempt (`unknown` only if the delivery was purged meanwhile).",
	});
}

export const deliveriesDoc: ResourceDoc = {
	tag: { name: "Deliveries", description: "The delivery log: one event to one endpoint, with every attempt; Retry now." },
	operations: [
		{
			method: "get",
			path: "/deliveries",
			id: "listDeliveries",
			tag: "Deliveries",
			summary: "List deliveries",
			description: `Newest first, ${DELIVERY_PAGE_SIZE} a page, optionally filtered: a ticket, a time range, an endpoint and failing-now through indexes; \`error_kind\` and \`http_status\` by the newest attempt, checked on the rows read. Newer and older pages by \`after\` and \`before\`.`,
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
				"Makes one manual attempt at once, outside the automatic count, whatever the delivery's status (a `cancelled` one too, once its endpoint is enabled; a `delivered` one is sent again): a success makes it `delivered`, a failure leaves the automatic schedule as it was. It changes no endpoint's `health`, which describes automatic attempts. The answer comes after the attempt. A manual action: it counts against MANUAL_ACTIONS_PER_MINUTE.",
			parameters: [ref("parameters", "DeliveryId")],
			success: { 200: { description: "The attempt made and the delivery's status after it.", schema: "RetryResult" } },
			errors: ["not_found", "endpoint_deleted", "endpoint_disabled", "rate_limited"],
			notes: { endpoint_disabled: "The delivery's endpoint is disabled: enable it first." },
		},
	],
	describeFields,
};
