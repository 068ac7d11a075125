/**
 * The OpenAPI description of …/deliveries (api/deliveries.ts): its
 * operations, and what the members of its query and responses mean. Build
 * time only: the Worker never imports it (openapi/build.ts does).
 */
import { describeMembers, NEXT_CURSOR, PREVIOUS_CURSOR, type ResourceDoc, ref } from "../openapi/operations";
import { DELIVERY_PAGE_SIZE, deliveryFilterSchema } from "../reports/filters";
import { attemptSchema, deliveryDetailSchema, deliveryPageSchema, deliverySchema, retryResultSchema } from "../reports/reportResponses";

function describeFields(): void {
	describeMembers(deliveryFilterSchema, {
		status: "Only deliveries with this status.",
		endpoint_id: "Only this endpoint's deliveries.",
		event_type: "Only deliveries of events of this type.",
		cursor: PREVIOUS_CURSOR,
	});
	describeMembers(deliverySchema, {
		id: "The delivery's id (`dlv_…`): one event to one endpoint.",
		event_id: "The event's id, sent as `webhook-id`.",
		endpoint_id: "The endpoint's id.",
		endpoint_url: "The endpoint's URL now.",
		endpoint_deleted: "Its endpoint was deleted: it stays in the log but cannot be retried.",
		test: "A test event sent from the admin page or the API.",
		status:
			"`pending`: first attempt not made yet; `retrying`: failed, next automatic attempt scheduled; `delivered`: a 2xx; `failed`: automatic attempts used up (or 410 Gone); `cancelled`: its endpoint was disabled or deleted first.",
		attempt_count: "Automatic attempts made (manual ones are not counted).",
		next_attempt_at: ["Null once the delivery is finished.", "When the next automatic attempt is due."],
		created_at: "When the event was accepted.",
		updated_at: "When its status last changed.",
	});
	describeMembers(deliveryPageSchema, { deliveries: "Newest first, at most 50.", next_cursor: NEXT_CURSOR });
	describeMembers(attemptSchema, {
		number: "1 for the first automatic attempt, 2 for its first retry, …; null for a manual one.",
		manual: "Made by Retry now, outside the automatic count.",
		started_at: "When the request was sent.",
		duration_ms: "Until the status line, or the failure.",
		status_code: "The destination's status; null when no answer came (network error, timeout, refused destination).",
		error: "What went wrong (`HTTP 500`, `timed out: …`, `network error: …`), or a note on a 2xx whose body broke off.",
		response_body: "The first 8 KB of the destination's answer.",
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
				"Makes one manual attempt at once, outside the automatic count: a success ends the delivery (`delivered`), a failure leaves the automatic schedule as it was. The answer comes after the attempt. A manual action: it counts against MANUAL_ACTIONS_PER_MINUTE.",
			parameters: [ref("parameters", "DeliveryId")],
			success: { 200: { description: "The attempt made and the delivery's status after it.", schema: "RetryResult" } },
			errors: ["not_found", "endpoint_deleted", "endpoint_disabled", "delivery_cancelled", "rate_limited"],
			notes: { endpoint_disabled: "The delivery's endpoint is disabled: enable it first." },
		},
	],
	describeFields,
};
