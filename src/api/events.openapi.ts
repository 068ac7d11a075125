/**
 * The OpenAPI description of …/events (api/events.ts): its operations, and
 * what the members of its query and responses mean. Build time only: the
 * Worker never imports it (openapi/build.ts does).
 */
import { describeMembers, NEXT_CURSOR, PREVIOUS_CURSOR, type ResourceDoc, ref } from "../openapi/operations";
import { eventFilterSchema } from "../reports/filters";
import { eventDetailSchema, eventPageSchema, eventSummarySchema } from "../reports/reportResponses";

function describeFields(): void {
	describeMembers(eventFilterSchema, { event_type: "Only events of this type.", cursor: PREVIOUS_CURSOR });
	// The members every view of an event shares.
	describeMembers(eventSummarySchema, {
		id: "The event's id (`evt_…`), sent as `webhook-id`.",
		test: "A test event sent from the admin page or the API.",
		received_at: "When it was accepted.",
		deliveries: "Deliveries created for it.",
	});
	describeMembers(eventPageSchema, {
		events: "Newest first, at most 50; also events no endpoint was subscribed to.",
		next_cursor: NEXT_CURSOR,
	});
	describeMembers(eventDetailSchema, { body: "The body exactly as received, as text: what every delivery of it carries." });
}

export const eventsDoc: ResourceDoc = {
	tag: { name: "Events", description: "The events an account received, with their exact bodies and deliveries." },
	operations: [
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
	],
	describeFields,
};
