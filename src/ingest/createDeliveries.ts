/**
 * Fan-out in SQL: one INSERT … SELECT creates a pending delivery for every
 * endpoint the filter picks (the live, enabled endpoints of the account that
 * are subscribed to the event, or one endpoint for a test event), whatever
 * their number, with a handful of bound parameters. Redelivery uses its twin
 * for the other direction: one endpoint, the events it missed. Delivery ids
 * are made in the event's millisecond (the SQL twin of ids.ts), which is how
 * the primary key finds an event's deliveries.
 *
 * A delivery to an endpoint that is isolated right now is held for its queue
 * from the start (lease_until) and goes straight to the isolation lane.
 */
import { and, eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type AccountScope, pairIn } from "../db/client";
import { deliveries, endpoints, events } from "../db/schema";
import type { Routed } from "../delivery/queue";
import { receivesDeliveries } from "../delivery/stateChanges";
import { ALL_EVENTS } from "../eventTypes";

/** The account's live, enabled endpoints, further narrowed by `filter`. */
export function liveEndpoints(accountId: string, filter: SQL): SQL {
	return and(eq(endpoints.accountId, accountId), receivesDeliveries(), filter) as SQL;
}

/** Endpoints subscribed to `actionType` (a type, or the column of the event being matched), directly or through "all events". */
export function subscribedTo(actionType: string | SQL): SQL {
	return sql`EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE json_each.value IN (${ALL_EVENTS}, ${actionType}))`;
}

/** How many deliveries `insertDeliveries` creates for the same arguments: the event row's count, written with it. */
export function countEndpoints(accountId: string, filter: SQL): SQL<number> {
	return sql<number>`(SELECT count(*) FROM ${endpoints} WHERE ${liveEndpoints(accountId, filter)})`;
}

/** The smallest delivery id made in millisecond `at`: `dlv_` and 12 hex digits of it. */
export function deliveryIdFloor(at: SQLWrapper | number): SQL<string> {
	return sql<string>`'dlv_' || printf('%012x', ${at})`;
}

/** A new pending delivery of `eventId` (made at `madeAt`, the event's millisecond) to the endpoint of the row selected. */
function newDelivery(accountId: string, eventId: SQL | string, madeAt: SQL | number, now: number, holdUntil: number) {
	return {
		accountId: sql<string>`${accountId}`.as("account_id"),
		id: sql<string>`${deliveryIdFloor(madeAt)} || lower(hex(randomblob(8)))`.as("id"),
		eventId: sql<string>`${eventId}`.as("event_id"),
		endpointId: endpoints.id,
		status: sql<"pending">`'pending'`.as("status"),
		attemptCount: sql<number>`0`.as("attempt_count"),
		nextAttemptAt: sql<number>`${now}`.as("next_attempt_at"),
		claimId: sql<null>`NULL`.as("claim_id"),
		leaseUntil: sql<number | null>`CASE WHEN ${endpoints.isolatedUntil} > ${now} THEN ${holdUntil} END`.as("lease_until"),
		createdAt: sql<number>`${madeAt}`.as("created_at"),
		updatedAt: sql<number>`${now}`.as("updated_at"),
	};
}

const inserted = { deliveryId: deliveries.id, endpointId: deliveries.endpointId, leaseUntil: deliveries.leaseUntil };

export function insertDeliveries(scope: AccountScope, eventId: string, now: number, filter: SQL, holdUntil: number) {
	const { db, accountId } = scope;
	return db
		.insert(deliveries)
		.select(
			db
				.select(newDelivery(accountId, eventId, now, now, holdUntil))
				.from(endpoints)
				.where(liveEndpoints(accountId, filter)),
		)
		.returning(inserted);
}

/**
 * Deliveries to one endpoint of the events `eventIds` names that it is
 * subscribed to (as it is now) and has none of yet: a missed event gets its
 * delivery once, however often this runs. Each is made in its event's
 * millisecond, so the event finds it; it is due at once.
 */
export function insertMissedDeliveries(
	scope: AccountScope,
	endpointId: string,
	eventIds: readonly string[],
	now: number,
	holdUntil: number,
) {
	const { db, accountId } = scope;
	return db
		.insert(deliveries)
		.select(
			db
				.select(newDelivery(accountId, sql`${events.id}`, sql`${events.receivedAt}`, now, holdUntil))
				.from(events)
				.innerJoin(endpoints, liveEndpoints(accountId, and(eq(endpoints.id, endpointId), subscribedTo(sql`${events.actionType}`)) as SQL))
				.where(and(eventsIn(accountId, eventIds), sql`NOT ${hasDeliveryTo(endpointId)}`)),
		)
		.returning({ ...inserted, eventId: deliveries.eventId });
}

/** The event of the row being read has a delivery to `endpointId`: one made in its millisecond, through deliveries_endpoint. */
export function hasDeliveryTo(endpointId: string): SQL {
	return sql`EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.endpointId} = ${endpointId}
		AND ${deliveries.id} >= ${deliveryIdFloor(events.receivedAt)} AND ${deliveries.id} < ${deliveryIdFloor(sql`${events.receivedAt} + 1`)}
		AND ${deliveries.eventId} = ${events.id})`;
}

const eventsIn = (accountId: string, eventIds: readonly string[]) =>
	pairIn(
		events.accountId,
		events.id,
		eventIds.map((id) => [accountId, id] as const),
	);

/** The events `eventIds` names count their deliveries again (each event's deliveries are a primary-key range). For a batch. */
export function recountDeliveries(scope: AccountScope, eventIds: readonly string[]) {
	const counted = sql<number>`(SELECT count(*) FROM ${deliveries} WHERE ${deliveries.accountId} = ${events.accountId}
		AND ${deliveries.id} >= ${deliveryIdFloor(events.receivedAt)} AND ${deliveries.id} < ${deliveryIdFloor(sql`${events.receivedAt} + 1`)}
		AND ${deliveries.eventId} = ${events.id})`;
	return scope.db
		.update(events)
		.set({ deliveryCount: counted })
		.where(and(eventsIn(scope.accountId, eventIds), sql`${events.deliveryCount} != ${counted}`));
}

/** The inserted deliveries, each on its lane: held ones (isolated endpoints) on the isolation lane. */
export function routeInserted(accountId: string, rows: { deliveryId: string; endpointId: string; leaseUntil: number | null }[]): Routed[] {
	return rows.map(({ deliveryId, endpointId, leaseUntil }) => ({
		accountId,
		deliveryId,
		endpointId,
		lane: leaseUntil === null ? "main" : "isolation",
	}));
}
