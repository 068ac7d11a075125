/**
 * The events an account received, as admins read them: newest first
 * (filtered by type, paginated by id), and one event with its payload and
 * its deliveries (their shapes in reportResponses.ts).
 */
import { and, asc, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { deliveries, events } from "../db/schema";
import type { EventType } from "../eventTypes";
import { HttpError } from "../http/errors";
import { idFloor } from "../lib/ids";
import { iso } from "../lib/time";
import { selectDeliveries, toDeliveryView } from "./deliveryLog";
import { EVENT_PAGE_SIZE, type EventFilter, paginate } from "./filters";
import type { EventDetail, EventPage, EventSummary } from "./reportResponses";

const eventColumns = {
	id: events.id,
	actionType: events.actionType,
	isTest: events.isTest,
	receivedAt: events.receivedAt,
	deliveryCount: events.deliveryCount,
};

function toEventSummary(row: { id: string; actionType: string; isTest: boolean; receivedAt: number; deliveryCount: number }): EventSummary {
	// The action type is stored only once validated (ingest, Send test event).
	const actionType = row.actionType as EventType;
	return { id: row.id, action_type: actionType, test: row.isTest, received_at: iso(row.receivedAt), deliveries: row.deliveryCount };
}

/** Events newest first, 50 a page, optionally of one type: also those nobody was subscribed to. */
export async function listEvents(scope: AccountScope, filter: EventFilter): Promise<EventPage> {
	const conditions: SQL[] = [eq(events.accountId, scope.accountId)];
	if (filter.event_type) conditions.push(eq(events.actionType, filter.event_type));
	if (filter.cursor) conditions.push(lt(events.id, filter.cursor));
	const rows = await scope.db
		.select(eventColumns)
		.from(events)
		.where(and(...conditions))
		.orderBy(desc(events.id))
		.limit(EVENT_PAGE_SIZE + 1);
	const { page, nextCursor } = paginate(rows, EVENT_PAGE_SIZE);
	return { events: page.map(toEventSummary), next_cursor: nextCursor };
}

export async function eventDetail(scope: AccountScope, id: string): Promise<EventDetail> {
	const event = await scope.db
		.select()
		.from(events)
		.where(and(eq(events.accountId, scope.accountId), eq(events.id, id)))
		.get();
	if (!event) throw new HttpError("not_found", `No event with id ${id}.`);
	// Its deliveries were created in its own millisecond: a primary-key range, no index needed.
	const itsDeliveries = await selectDeliveries(scope)
		.where(
			and(
				eq(deliveries.accountId, scope.accountId),
				gte(deliveries.id, idFloor("dlv", event.receivedAt)),
				lt(deliveries.id, idFloor("dlv", event.receivedAt + 1)),
				eq(deliveries.eventId, id),
			),
		)
		.orderBy(asc(deliveries.id));
	const { deliveries: _count, ...summary } = toEventSummary(event);
	return {
		...summary,
		/** The body exactly as received (text), so it can be shown and checked byte for byte. */
		body: event.body,
		deliveries: itsDeliveries.map(toDeliveryView),
	};
}
