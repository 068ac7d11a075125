/**
 * Stores an accepted event and all its deliveries in one D1 batch (one
 * transaction: never an event without its deliveries), honouring an optional
 * Idempotency-Key, unique within the account. The unique index on
 * (account, idempotency_key) decides races: of two concurrent requests with
 * one key, exactly one insert wins. Ingest stores ticket events with it, and
 * alerts/ the operator's operational messages.
 */
import { and, eq, gte, lt } from "drizzle-orm";
import type { Settings } from "../config";
import { type AccountScope, isUniqueViolation } from "../db/client";
import { IDEMPOTENCY_WINDOW_MS } from "../db/retention";
import { events } from "../db/schema";
import type { Routed } from "../delivery/queue";
import { queueHoldMs } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { HttpError } from "../http/errors";
import { sha256Hex } from "../lib/hashing";
import { newId } from "../lib/ids";
import { storeBody } from "../lib/storedBody";
import type { OperationalEventType } from "../operationalEventTypes";
import { countEndpoints, eventOverFairRate, insertDeliveries, routeInserted, subscribedTo } from "./createDeliveries";
import type { IngestReceipt } from "./receiptResponse";

/** A receipt for an event of `Type` (ticket events for ingest, operational messages for alerts/). */
type Receipt<Type extends string> = Omit<IngestReceipt, "action_type"> & { action_type: Type };

export type StoreResult<Type extends string = EventType> =
	| { kind: "created"; receipt: Receipt<Type>; deliveries: Routed[] }
	| { kind: "repeated"; receipt: Receipt<Type> };

type KeyHeader = "Idempotency-Key" | "webhook-id";

export async function storeEvent<Type extends EventType | OperationalEventType>(
	scope: AccountScope,
	settings: Settings,
	input: {
		body: string;
		actionType: Type;
		ticketId: string | null;
		idempotencyKey: string | null;
		/** What the sender called the key, for a conflict's message: a signed event's key is its `webhook-id`. */
		keyHeader?: KeyHeader;
	},
): Promise<StoreResult<Type>> {
	const { db, accountId } = scope;
	const now = Date.now();
	const { idempotencyKey, keyHeader = "Idempotency-Key" } = input;
	const keyed = idempotencyKey ? { key: idempotencyKey, header: keyHeader } : null;
	// Only a key needs the hash: it tells a true repeat from the key reused for another body.
	const bodyHash = keyed ? await sha256Hex(input.body) : "";
	if (keyed) {
		const repeated = await findRepeat<Type>(scope, keyed, bodyHash, now);
		if (repeated) return repeated;
	}
	const eventId = newId("evt", now);
	const subscribed = subscribedTo(input.actionType);
	const insertEvent = db.insert(events).values({
		accountId,
		id: eventId,
		actionType: input.actionType,
		...(await storeBody(input.body)),
		ticketId: input.ticketId,
		receivedAt: now,
		bodyHash,
		idempotencyKey,
		deliveryCount: countEndpoints(accountId, subscribed),
	});
	const insert = insertDeliveries(scope, eventId, now, subscribed, {
		until: now + queueHoldMs(settings),
		overRate: eventOverFairRate(accountId, eventId, now, settings),
	});
	let inserted: Awaited<typeof insert>;
	try {
		if (idempotencyKey) {
			// A key older than the window is free again, even before the cron purges it.
			const releaseStaleKey = db
				.update(events)
				.set({ idempotencyKey: null })
				.where(
					and(
						eq(events.accountId, accountId),
						eq(events.idempotencyKey, idempotencyKey),
						lt(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS),
					),
				);
			[, , inserted] = await db.batch([releaseStaleKey, insertEvent, insert]);
		} else {
			[, inserted] = await db.batch([insertEvent, insert]);
		}
	} catch (error) {
		// Lost a race for the same key: answer as the winner did.
		const repeated = keyed && isUniqueViolation(error) ? await findRepeat<Type>(scope, keyed, bodyHash, now) : null;
		if (repeated) return repeated;
		throw error;
	}
	return {
		kind: "created",
		receipt: { event_id: eventId, action_type: input.actionType, deliveries: inserted.length },
		deliveries: routeInserted(accountId, inserted),
	};
}

async function findRepeat<Type extends string>(
	{ db, accountId }: AccountScope,
	{ key, header }: { key: string; header: KeyHeader },
	bodyHash: string,
	now: number,
): Promise<StoreResult<Type> | null> {
	const original = await db
		.select({ id: events.id, actionType: events.actionType, deliveryCount: events.deliveryCount, bodyHash: events.bodyHash })
		.from(events)
		.where(and(eq(events.accountId, accountId), eq(events.idempotencyKey, key), gte(events.receivedAt, now - IDEMPOTENCY_WINDOW_MS)))
		.get();
	if (!original) return null;
	if (original.bodyHash !== bodyHash) {
		throw new HttpError(
			"idempotency_conflict",
			`This ${header} was already used in the last 24 hours with a different body. Use a new one for a new event.`,
			{ [header]: "reused with a different body" },
		);
	}
	// The stored action type was validated when it was accepted.
	const actionType = original.actionType as Type;
	return { kind: "repeated", receipt: { event_id: original.id, action_type: actionType, deliveries: original.deliveryCount } };
}
