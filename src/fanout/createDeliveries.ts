/**
 * Fan-out in SQL: one INSERT … SELECT creates a pending delivery for every
 * enabled endpoint subscribed to the event, whatever the number of endpoints,
 * with two bound parameters. Delivery ids sort by creation time like newId().
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { ALL_EVENTS } from "../events";

export function insertDeliveriesFor(db: Database, eventId: string, actionType: string, now: number) {
	return db.all<{ id: string }>(sql`
		INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
		SELECT 'dlv_' || printf('%012x', ${now}) || lower(hex(randomblob(8))), ${eventId}, endpoints.id, 'pending', 0, ${now}, ${now}, ${now}
		FROM endpoints
		WHERE endpoints.deleted_at IS NULL
			AND endpoints.enabled = 1
			AND EXISTS (SELECT 1 FROM json_each(endpoints.events) WHERE json_each.value IN (${ALL_EVENTS}, ${actionType}))
		RETURNING id`);
}
