/**
 * Fan-out in SQL: one INSERT … SELECT creates a pending delivery for every
 * enabled endpoint subscribed to the event, whatever the number of endpoints,
 * with a handful of bound parameters. Delivery ids sort by creation time like newId().
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { deliveries, endpoints } from "../db/schema";
import { ALL_EVENTS } from "../events";

export function insertDeliveriesFor(db: Database, eventId: string, actionType: string, now: number) {
	const subscribed = sql`EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE json_each.value IN (${ALL_EVENTS}, ${actionType}))`;
	return db
		.insert(deliveries)
		.select(
			db
				.select({
					id: sql<string>`'dlv_' || printf('%012x', ${now}) || lower(hex(randomblob(8)))`.as("id"),
					eventId: sql<string>`${eventId}`.as("event_id"),
					endpointId: endpoints.id,
					status: sql<"pending">`'pending'`.as("status"),
					attemptCount: sql<number>`0`.as("attempt_count"),
					nextAttemptAt: sql<number>`${now}`.as("next_attempt_at"),
					claimId: sql<null>`NULL`.as("claim_id"),
					createdAt: sql<number>`${now}`.as("created_at"),
					updatedAt: sql<number>`${now}`.as("updated_at"),
				})
				.from(endpoints)
				.where(and(isNull(endpoints.deletedAt), eq(endpoints.enabled, true), subscribed)),
		)
		.returning({ id: deliveries.id });
}
