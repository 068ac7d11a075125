/**
 * The OpenAPI description of …/events (api/events.ts): its operations, and
 * what the members of its query and responses mean. Build time only: the
 * Worker never imports it (openapi/build.ts does).
 */
import { describeMembers, LIST_FILTERS, NEXT_CURSOR, PREV_CURSOR, type ResourceDoc, ref } from "../openapi/operations";
import { EVENT_PAGE_SIZE, eventFilterSchema } from "../reports/filters";
import { eventDetailSchema, eventPageSchema, eventSummarySchema } from "../reports/reportResponses";

function describeFields(): void {
	describeMembers(eventFilterSchema, { event_type: "Only events of this type.", ...LIST_FILTERS("events", "received") });
	// The members every view of an event shares.
	describeMembers(eventSummarySchema, {
		id: "The event's id (`evt_…`), sent as `webhook-id`.",
		ticket_id: "The helpdesk's ticket (`payload.ticket.id`, as text); null when the event names none, and for test events.",
		test: "A test event sent from the admin page or the API.",
		received_at: "When it was accepted.",
		deliveries: "Deliveries created for it.",
	});
	describeMembers(eventPageSchema, {
		events: `Newest first, at most ${EVENT_PAGE_SIZE}; also events no endpoint was subscribed to.`,
		next_cursor: NEXT_CURSOR,
		prev_cursor: PREV_CURSOR,
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
			description: `Newest first, ${EVENT_PAGE_SIZE} a page, optionally filtered (a ticket and a time range through indexes); also events no endpoint was subscribed to.`,
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
