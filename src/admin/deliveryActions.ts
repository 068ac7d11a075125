/**
 * What an admin can make happen to deliveries: send a test event, redeliver
 * failed ones after an outage, retry one now. Each goes through the same
 * queue and attempt code as the helpdesk's own events.
 */
import { and, eq, gte, inArray } from "drizzle-orm";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { deliveries, endpoints, events } from "../db/schema";
import { attemptNow, type ManualAttempt } from "../delivery/attempt";
import { type DeliveryMessage, enqueueOrLeaveToSweep } from "../delivery/queue";
import type { EventType } from "../events";
import { sha256Hex } from "../hashing";
import { HttpError } from "../http/errors";
import { newId } from "../ids";
import { sampleEvent } from "../samples";
import { type EndpointRow, requireEndpoint } from "./endpointStore";

function refuseDisabled(endpoint: EndpointRow, what: string): void {
	if (!endpoint.enabled) throw new HttpError("endpoint_disabled", `The endpoint is disabled, so it cannot ${what}. Enable it first.`);
}

/** A new event (marked as a test) with the sample payload of `actionType`, delivered to this endpoint only. */
export async function sendTestEvent(db: Database, queue: Queue<DeliveryMessage>, endpointId: string, actionType: EventType) {
	refuseDisabled(await requireEndpoint(db, endpointId), "receive a test event");
	const now = Date.now();
	const body = sampleEvent(actionType);
	const eventId = newId("evt", now);
	const deliveryId = newId("dlv", now);
	await db.batch([
		db
			.insert(events)
			.values({ id: eventId, actionType, body, receivedAt: now, bodyHash: await sha256Hex(body), deliveryCount: 1, isTest: true }),
		db
			.insert(deliveries)
			.values({ id: deliveryId, eventId, endpointId, status: "pending", nextAttemptAt: now, createdAt: now, updatedAt: now }),
	]);
	await enqueueOrLeaveToSweep(queue, [deliveryId]);
	return { event_id: eventId, delivery_id: deliveryId };
}

/**
 * Every `failed` delivery of the endpoint created since `since` starts over
 * with a fresh automatic budget (reset in place, one statement); its attempt
 * history stays.
 */
/** Most deliveries one "Redeliver failed" starts over; after a long outage, press it again for the rest. */
export const REDELIVER_LIMIT = 1000;

export async function redeliverFailed(db: Database, queue: Queue<DeliveryMessage>, endpointId: string, since: number): Promise<number> {
	refuseDisabled(await requireEndpoint(db, endpointId), "be redelivered to");
	const now = Date.now();
	const reset = await db
		.update(deliveries)
		.set({ status: "pending", attemptCount: 0, nextAttemptAt: now, claimId: null, updatedAt: now })
		.where(
			inArray(
				deliveries.id,
				db
					.select({ id: deliveries.id })
					.from(deliveries)
					.where(and(eq(deliveries.endpointId, endpointId), eq(deliveries.status, "failed"), gte(deliveries.createdAt, since)))
					.limit(REDELIVER_LIMIT),
			),
		)
		.returning({ id: deliveries.id });
	await enqueueOrLeaveToSweep(
		queue,
		reset.map((row) => row.id),
	);
	return reset.length;
}

/** "Retry now": one manual attempt. 404 for an unknown delivery, 409 when its endpoint was deleted or is disabled. */
export async function retryNow(db: Database, settings: Settings, deliveryId: string): Promise<ManualAttempt> {
	const delivery = await db
		.select({ status: deliveries.status, endpointDeletedAt: endpoints.deletedAt, endpointEnabled: endpoints.enabled })
		.from(deliveries)
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
		.where(eq(deliveries.id, deliveryId))
		.get();
	if (!delivery) throw new HttpError("not_found", `No delivery with id ${deliveryId}.`);
	if (delivery.endpointDeletedAt !== null) {
		throw new HttpError(
			"endpoint_deleted",
			"This delivery's endpoint was deleted, so there is nowhere to send it. Register the URL again and redeliver.",
		);
	}
	if (!delivery.endpointEnabled)
		throw new HttpError("endpoint_disabled", "This delivery's endpoint is disabled. Enable it first, then retry.");
	const attempt = await attemptNow(db, settings, deliveryId);
	if (!attempt) throw new HttpError("not_found", `No delivery with id ${deliveryId}.`);
	return attempt;
}
