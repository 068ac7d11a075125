/**
 * Housekeeping run by the Cron Trigger: forgets Idempotency-Keys after 24 h
 * and purges what is finished and older than RETENTION_DAYS (D1 databases are
 * capped at 10 GB). Nothing pending or retrying is ever purged, nor an event
 * that still has deliveries. Each run removes a bounded number of rows, in
 * one transaction; the next minute takes the rest.
 */
import { and, asc, eq, inArray, isNotNull, lt, notExists } from "drizzle-orm";
import { readSettings } from "../config";
import { IDEMPOTENCY_WINDOW_MS } from "../ingest/storeEvent";
import { database } from "./client";
import { attempts, deliveries, endpoints, events } from "./schema";

/** Most deliveries (and events) purged per run. */
export const PURGE_BATCH_LIMIT = 1000;

export interface PurgeReport {
	deliveries: number;
	events: number;
}

export async function purgeExpired(env: Env, now = Date.now()): Promise<PurgeReport> {
	const db = database(env);
	const cutoff = now - readSettings(env).retentionMs;
	// The same ordered selection twice: attempts first, then their deliveries (foreign keys).
	const expiredDeliveries = () =>
		db
			.select({ id: deliveries.id })
			.from(deliveries)
			.where(and(inArray(deliveries.status, ["delivered", "failed", "cancelled"]), lt(deliveries.updatedAt, cutoff)))
			.orderBy(asc(deliveries.id))
			.limit(PURGE_BATCH_LIMIT);
	const hasDeliveries = (column: typeof deliveries.eventId | typeof deliveries.endpointId, id: typeof events.id | typeof endpoints.id) =>
		db.select({ id: deliveries.id }).from(deliveries).where(eq(column, id));
	const [, , purgedDeliveries, purgedEvents] = await db.batch([
		db
			.update(events)
			.set({ idempotencyKey: null })
			.where(and(isNotNull(events.idempotencyKey), lt(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS))),
		db.delete(attempts).where(inArray(attempts.deliveryId, expiredDeliveries())),
		db.delete(deliveries).where(inArray(deliveries.id, expiredDeliveries())).returning({ id: deliveries.id }),
		db
			.delete(events)
			.where(
				inArray(
					events.id,
					db
						.select({ id: events.id })
						.from(events)
						.where(and(lt(events.receivedAt, cutoff), notExists(hasDeliveries(deliveries.eventId, events.id))))
						.orderBy(asc(events.id))
						.limit(PURGE_BATCH_LIMIT),
				),
			)
			.returning({ id: events.id }),
		db.delete(endpoints).where(and(lt(endpoints.deletedAt, cutoff), notExists(hasDeliveries(deliveries.endpointId, endpoints.id)))),
	]);
	return { deliveries: purgedDeliveries.length, events: purgedEvents.length };
}
