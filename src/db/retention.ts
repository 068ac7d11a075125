/**
 * Housekeeping run by the Cron Trigger in every database: forgets
 * Idempotency-Keys after 24 h, and purges what is finished and older than
 * RETENTION_DAYS (D1 databases are capped at 10 GB): deliveries with their
 * attempts, events with no delivery left, endpoints deleted long ago with
 * their audit record. Nothing pending or retrying is ever purged, nor an
 * event that still has deliveries.
 *
 * Account data is keyed by (account, id), and ids sort by time, so each purge
 * walks, for each account present (found by a loose scan of the primary
 * key), the key range older than the cutoff. A run removes a bounded number
 * of rows, in one transaction; the next minute takes the rest.
 */
import { and, eq, isNotNull, lt, notExists, type SQL, sql } from "drizzle-orm";
import { readSettings } from "../config";
import { idFloor } from "../lib/ids";
import { DAY_MS } from "../lib/time";
import { type Database, everyDatabase } from "./client";
import {
	accountIdText,
	deliveryIdText,
	keyOfEndpoint,
	ofAccount,
	ofEvent,
	statusesIn,
	storedAccount,
	theseDeliveries,
	toEndpointsWhere,
} from "./keyedDeliveries";
import { deliveriesV2, endpointKeys } from "./keyedSchema";
import { untouchedByMove } from "./moveMarkers";
import { attempts, auditLog, endpoints, events } from "./schema";

/** Most rows of each kind purged per run and database. */
export const PURGE_BATCH_LIMIT = 1000;

/** How long an Idempotency-Key (or a signed ingest's webhook-id) is remembered: ingest honours it this long, the cron forgets it after. */
export const IDEMPOTENCY_WINDOW_MS = DAY_MS;

export interface PurgeReport {
	deliveries: number;
	events: number;
}

export async function purgeExpired(env: Env, now = Date.now()): Promise<PurgeReport> {
	const report: PurgeReport = { deliveries: 0, events: 0 };
	const cutoff = now - readSettings(env).retentionMs;
	for (const db of everyDatabase(env)) {
		const purged = await purgeDatabase(db, now, cutoff);
		report.deliveries += purged.deliveries;
		report.events += purged.events;
	}
	return report;
}

/** Each account with events: a loose index scan, one primary-key seek per account. */
function accountsWithEvents(): SQL {
	return sql`WITH RECURSIVE here(id) AS (
		SELECT min(${events.accountId}) FROM ${events}
		UNION ALL SELECT (SELECT min(${events.accountId}) FROM ${events} WHERE ${events.accountId} > here.id) FROM here WHERE here.id IS NOT NULL
	) SELECT id FROM here WHERE id IS NOT NULL`;
}

/**
 * A delivery that may be purged: finished, and created and last changed before the cutoff. Not of an account a move
 * holds in this database (its copy is incomplete in the target, and a frozen source records no deletes): retention
 * takes it up in its new home.
 */
function expiredDelivery(cutoff: number): SQL {
	return and(
		lt(deliveriesV2.id, idFloor("dlv", cutoff)),
		statusesIn(["delivered", "failed", "cancelled"]),
		lt(deliveriesV2.updatedAt, cutoff),
		untouchedByMove(accountIdText()),
	) as SQL;
}

async function purgeDatabase(db: Database, now: number, cutoff: number): Promise<PurgeReport> {
	// Each endpoint's range of the primary key from its oldest.
	const oldDeliveries = await db
		.select({ accountId: deliveriesV2.accountId, endpointId: endpointKeys.endpointId, deliveryId: deliveriesV2.id })
		.from(deliveriesV2)
		.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
		.where(and(toEndpointsWhere(sql`1`), expiredDelivery(cutoff)))
		.limit(PURGE_BATCH_LIMIT);
	// Checked again inside the transaction: a delivery redelivered since it was selected is no longer expired, and keeps its attempts.
	const stillExpired = and(theseDeliveries(oldDeliveries), expiredDelivery(cutoff));
	const stillExpiredKeys = db.select({ accountId: accountIdText(), id: deliveryIdText() }).from(deliveriesV2).where(stillExpired);
	// Chosen inside the same transaction, after this run's deliveries are gone: old events and
	// deleted endpoints with no delivery left.
	const expiredEvents = db
		.select({ accountId: events.accountId, id: events.id })
		.from(events)
		.where(
			and(
				sql`${events.accountId} IN (${accountsWithEvents()})`,
				lt(events.id, idFloor("evt", cutoff)),
				withoutDeliveries(),
				untouchedByMove(events.accountId),
			),
		)
		.limit(PURGE_BATCH_LIMIT);
	const expiredEndpoints = db
		.select({ accountId: endpoints.accountId, id: endpoints.id })
		.from(endpoints)
		.where(
			and(
				isNotNull(endpoints.deletedAt),
				lt(endpoints.deletedAt, cutoff),
				untouchedByMove(endpoints.accountId),
				notExists(
					db
						.select({ one: sql`1` })
						.from(deliveriesV2)
						.where(
							and(
								eq(deliveriesV2.accountId, storedAccount(endpoints.accountId)),
								eq(deliveriesV2.endpointKey, keyOfEndpoint(endpoints.id)),
							),
						),
				),
			),
		)
		.limit(PURGE_BATCH_LIMIT);
	const [, , purgedDeliveries, purgedEvents] = await db.batch([
		db
			.update(events)
			.set({ idempotencyKey: null })
			.where(and(isNotNull(events.idempotencyKey), lt(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS), untouchedByMove(events.accountId))),
		db.delete(attempts).where(sql`(${attempts.accountId}, ${attempts.deliveryId}) IN ${stillExpiredKeys}`),
		db.delete(deliveriesV2).where(stillExpired).returning({ one: sql`1` }),
		db.delete(events).where(sql`(${events.accountId}, ${events.id}) IN ${expiredEvents}`).returning({ id: events.id }),
		db.delete(auditLog).where(sql`(${auditLog.accountId}, ${auditLog.endpointId}) IN ${expiredEndpoints}`),
		db.delete(endpoints).where(sql`(${endpoints.accountId}, ${endpoints.id}) IN ${expiredEndpoints}`),
	]);
	return { deliveries: purgedDeliveries.length, events: purgedEvents.length };
}

/** The event has no delivery left: they were made in its millisecond, so a range of each endpoint's answers. */
function withoutDeliveries(): SQL {
	return notExists(
		sql`(SELECT 1 FROM ${deliveriesV2} WHERE ${ofAccount(events.accountId)} AND ${ofEvent(sql`${events.id}`, sql`${events.receivedAt}`)})`,
	);
}
