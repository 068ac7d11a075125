/**
 * Housekeeping run by the Cron Trigger: forgets Idempotency-Keys after 24 h
 * and purges what is finished and older than RETENTION_DAYS (D1 databases are
 * capped at 10 GB). Nothing pending or retrying is ever purged, nor an event
 * that still has deliveries. Every statement walks an index range, so a run
 * with nothing to purge reads next to nothing; each run removes a bounded
 * number of rows, in one transaction, and the next minute takes the rest.
 */
import { and, asc, eq, inArray, isNotNull, lt, notExists } from "drizzle-orm";
import { readSettings } from "../config";
import { idFloor } from "../ids";
import { IDEMPOTENCY_WINDOW_MS } from "../ingest/storeEvent";
import { database } from "./client";
import { deliveries, endpoints, events } from "./schema";

/** Most deliveries (and events) purged per run. */
export const PURGE_BATCH_LIMIT = 1000;

export interface PurgeReport {
	deliveries: number;
	events: number;
}

export async function purgeExpired(env: Env, now = Date.now()): Promise<PurgeReport> {
	const db = database(env);
	const cutoff = now - readSettings(env).retentionMs;
	const [, purgedDeliveries, purgedEvents] = await db.batch([
		db
			.update(events)
			.set({ idempotencyKey: null })
			.where(and(isNotNull(events.idempotencyKey), lt(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS))),
		// Their attempts go with them (ON DELETE CASCADE).
		db
			.delete(deliveries)
			.where(
				inArray(
					deliveries.id,
					db
						.select({ id: deliveries.id })
						.from(deliveries)
						// Ids sort by creation time: the primary key bounds the walk to deliveries created before the cutoff.
						.where(
							and(
								lt(deliveries.id, idFloor("dlv", cutoff)),
								inArray(deliveries.status, ["delivered", "failed", "cancelled"]),
								lt(deliveries.updatedAt, cutoff),
							),
						)
						.limit(PURGE_BATCH_LIMIT),
				),
			)
			.returning({ id: deliveries.id }),
		db
			.delete(events)
			.where(
				inArray(
					events.id,
					db
						.select({ id: events.id })
						.from(events)
						.where(
							and(
								lt(events.receivedAt, cutoff),
								notExists(db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.eventId, events.id))),
							),
						)
						.orderBy(asc(events.receivedAt))
						.limit(PURGE_BATCH_LIMIT),
				),
			)
			.returning({ id: events.id }),
		db
			.delete(endpoints)
			.where(
				and(
					lt(endpoints.deletedAt, cutoff),
					notExists(db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.endpointId, endpoints.id))),
				),
			),
	]);
	return { deliveries: purgedDeliveries.length, events: purgedEvents.length };
}
