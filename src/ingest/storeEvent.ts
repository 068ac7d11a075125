/**
 * Stores an accepted event and all its deliveries in one D1 batch (one
 * transaction: never an event without its deliveries), honouring an optional
 * Idempotency-Key. The unique index on events.idempotency_key decides races:
 * of two concurrent requests with one key, exactly one insert wins.
 */
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { type Database, isUniqueViolation } from "../db/client";
import { events } from "../db/schema";
import { sha256Hex } from "../hashing";
import { HttpError } from "../http/errors";
import { newId } from "../ids";
import { insertDeliveriesFor } from "./createDeliveries";

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IngestReceipt {
	event_id: string;
	action_type: string;
	deliveries: number;
}

export type StoreResult = { kind: "created"; receipt: IngestReceipt; deliveryIds: string[] } | { kind: "repeated"; receipt: IngestReceipt };

export async function storeEvent(
	db: Database,
	input: { body: string; actionType: string; idempotencyKey: string | null },
): Promise<StoreResult> {
	const now = Date.now();
	const bodyHash = await sha256Hex(input.body);
	const { idempotencyKey } = input;
	if (idempotencyKey) {
		const repeated = await findRepeat(db, idempotencyKey, bodyHash, now);
		if (repeated) return repeated;
	}
	const eventId = newId("evt", now);
	const insertEvent = db
		.insert(events)
		.values({ id: eventId, actionType: input.actionType, body: input.body, receivedAt: now, bodyHash, idempotencyKey });
	const insertDeliveries = insertDeliveriesFor(db, eventId, input.actionType, now);
	const countDeliveries = db
		.update(events)
		.set({ deliveryCount: sql`(SELECT count(*) FROM deliveries WHERE deliveries.event_id = ${eventId})` })
		.where(eq(events.id, eventId));
	let deliveryRows: { id: string }[];
	try {
		if (idempotencyKey) {
			// A key older than the window is free again, even before the sweep purges it.
			const releaseStaleKey = db
				.update(events)
				.set({ idempotencyKey: null })
				.where(and(eq(events.idempotencyKey, idempotencyKey), lt(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS)));
			[, , deliveryRows] = await db.batch([releaseStaleKey, insertEvent, insertDeliveries, countDeliveries]);
		} else {
			[, deliveryRows] = await db.batch([insertEvent, insertDeliveries, countDeliveries]);
		}
	} catch (error) {
		// Lost a race for the same key: answer as the winner did.
		const repeated = idempotencyKey && isUniqueViolation(error) ? await findRepeat(db, idempotencyKey, bodyHash, now) : null;
		if (repeated) return repeated;
		throw error;
	}
	const deliveryIds = deliveryRows.map((row) => row.id);
	return { kind: "created", receipt: { event_id: eventId, action_type: input.actionType, deliveries: deliveryIds.length }, deliveryIds };
}

async function findRepeat(db: Database, key: string, bodyHash: string, now: number): Promise<StoreResult | null> {
	const original = await db
		.select({ id: events.id, actionType: events.actionType, deliveryCount: events.deliveryCount, bodyHash: events.bodyHash })
		.from(events)
		.where(and(eq(events.idempotencyKey, key), gte(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS)))
		.get();
	if (!original) return null;
	if (original.bodyHash !== bodyHash) {
		throw new HttpError(
			"idempotency_conflict",
			"This Idempotency-Key was already used in the last 24 hours with a different body. Use a new key for a new event.",
			{
				"Idempotency-Key": "reused with a different body",
			},
		);
	}
	return { kind: "repeated", receipt: { event_id: original.id, action_type: original.actionType, deliveries: original.deliveryCount } };
}
