/**
 * Fan-out in SQL: one INSERT … SELECT creates a pending delivery for every
 * endpoint the filter picks (the live, enabled endpoints of the account that
 * are subscribed to the event, or one endpoint for a test event), whatever
 * their number, with a handful of bound parameters. Delivery ids are made in
 * the event's millisecond (the SQL twin of ids.ts), which is how the primary
 * key finds an event's deliveries.
 *
 * A delivery to an endpoint that is isolated right now is held for its queue
 * from the start (lease_until) and goes straight to the isolation lane.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { deliveries, endpoints } from "../db/schema";
import type { Routed } from "../delivery/queue";
import { receivesDeliveries } from "../delivery/stateChanges";
import { ALL_EVENTS } from "../eventTypes";

/** The account's live, enabled endpoints, further narrowed by `filter`. */
export function liveEndpoints(accountId: string, filter: SQL): SQL {
	return and(eq(endpoints.accountId, accountId), receivesDeliveries(), filter) as SQL;
}

/** Endpoints subscribed to `actionType`, directly or through "all events". */
export function subscribedTo(actionType: string): SQL {
	return sql`EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE json_each.value IN (${ALL_EVENTS}, ${actionType}))`;
}

/** How many deliveries `insertDeliveries` creates for the same arguments: the event row's count, written with it. */
export function countEndpoints(accountId: string, filter: SQL): SQL<number> {
	return sql<number>`(SELECT count(*) FROM ${endpoints} WHERE ${liveEndpoints(accountId, filter)})`;
}

export function insertDeliveries(scope: AccountScope, eventId: string, now: number, filter: SQL, holdUntil: number) {
	const { db, accountId } = scope;
	return db
		.insert(deliveries)
		.select(
			db
				.select({
					accountId: sql<string>`${accountId}`.as("account_id"),
					id: sql<string>`'dlv_' || printf('%012x', ${now}) || lower(hex(randomblob(8)))`.as("id"),
					eventId: sql<string>`${eventId}`.as("event_id"),
					endpointId: endpoints.id,
					status: sql<"pending">`'pending'`.as("status"),
					attemptCount: sql<number>`0`.as("attempt_count"),
					nextAttemptAt: sql<number>`${now}`.as("next_attempt_at"),
					claimId: sql<null>`NULL`.as("claim_id"),
					leaseUntil: sql<number | null>`CASE WHEN ${endpoints.isolatedUntil} > ${now} THEN ${holdUntil} END`.as("lease_until"),
					createdAt: sql<number>`${now}`.as("created_at"),
					updatedAt: sql<number>`${now}`.as("updated_at"),
				})
				.from(endpoints)
				.where(liveEndpoints(accountId, filter)),
		)
		.returning({ deliveryId: deliveries.id, endpointId: deliveries.endpointId, leaseUntil: deliveries.leaseUntil });
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
