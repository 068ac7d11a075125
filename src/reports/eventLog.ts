/**
 * The events an account received, as admins read them: newest first
 * (filtered by type, ticket and time, a page at a time by id), and one event
 * with its payload and its deliveries (their shapes in reportResponses.ts).
 * A ticket is found through events_ticket, a time range through the ids.
 */
import { and, asc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { ofAccount, ofEvent } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { events } from "../db/schema";
import type { EventType } from "../eventTypes";
import { HttpError } from "../http/errors";
import { idFloor } from "../lib/ids";
import { readBody } from "../lib/storedBody";
import { iso } from "../lib/time";
import { selectDeliveries, toDeliveryView } from "./deliveryLog";
import { EVENT_PAGE_SIZE, type EventFilter, pagedBy, readPage } from "./filters";
import type { EventDetail, EventPage, EventSummary } from "./reportResponses";

const eventColumns = {
	id: events.id,
	actionType: events.actionType,
	ticketId: events.ticketId,
	isTest: events.isTest,
	receivedAt: events.receivedAt,
	deliveryCount: events.deliveryCount,
};

type EventRow = Pick<typeof events.$inferSelect, "id" | "actionType" | "ticketId" | "isTest" | "receivedAt" | "deliveryCount">;

function toEventSummary(row: EventRow): EventSummary {
	// The action type is stored only once validated (ingest, Send test event).
	const actionType = row.actionType as EventType;
	return {
		id: row.id,
		action_type: actionType,
		ticket_id: row.ticketId,
		test: row.isTest,
		received_at: iso(row.receivedAt),
		deliveries: row.deliveryCount,
	};
}

/** Events newest first, 50 a page, optionally filtered: also those nobody was subscribed to. */
export async function listEvents(scope: AccountScope, filter: EventFilter): Promise<EventPage> {
	const conditions: SQL[] = [eq(events.accountId, scope.accountId)];
	if (filter.event_type) conditions.push(eq(events.actionType, filter.event_type));
	if (filter.ticket_id) conditions.push(eq(events.ticketId, filter.ticket_id));
	if (filter.since) conditions.push(gte(events.id, idFloor("evt", Date.parse(filter.since))));
	if (filter.until) conditions.push(lt(events.id, idFloor("evt", Date.parse(filter.until) + 1)));
	const { page, nextCursor, prevCursor } = await readPage(
		filter,
		pagedBy(events.id, Boolean(filter.ticket_id)),
		EVENT_PAGE_SIZE,
		(bounds, limit) =>
			scope.db
				.select(eventColumns)
				.from(events)
				.where(and(...conditions, bounds.where))
				.orderBy(bounds.orderBy)
				.limit(limit),
	);
	return { events: page.map(toEventSummary), next_cursor: nextCursor, prev_cursor: prevCursor };
}

export async function eventDetail(scope: AccountScope, id: string): Promise<EventDetail> {
	const event = await scope.db
		.select()
		.from(events)
		.where(and(eq(events.accountId, scope.accountId), eq(events.id, id)))
		.get();
	if (!event) throw new HttpError("not_found", `No event with id ${id}.`);
	// Its deliveries were created in its own millisecond: a range of the primary key per endpoint, no index needed.
	const itsDeliveries = await selectDeliveries(scope)
		.where(and(ofAccount(scope.accountId), ofEvent(id, event.receivedAt)))
		.orderBy(asc(deliveriesV2.id));
	const { deliveries: _count, ...summary } = toEventSummary(event);
	return {
		...summary,
		/** The body exactly as received (text), so it can be shown and checked byte for byte. */
		body: await readBody(event),
		deliveries: itsDeliveries.map(toDeliveryView),
	};
}
