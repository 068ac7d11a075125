/** An admin's "Retry now": one immediate attempt, outside the automatic budget. */
import { and } from "drizzle-orm";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { selectTargets, waveRows } from "./claim";
import { type Completed, disableGoneEndpoint, insertAttempts } from "./record";
import { checkAndSend } from "./send";
import { type DeliveryRef, finished, shownStatus, unfinished } from "./stateChanges";

/** A manual attempt's outcome, with the delivery's status after it. */
export interface ManualAttempt {
	completed: Completed;
	deliveryStatus: string;
}

/**
 * "Retry now": one immediate attempt outside the automatic budget. A success
 * ends the delivery (and so its pending retries); a failure leaves the
 * automatic schedule exactly as it was. The endpoint's health (health.ts)
 * describes automatic attempts only, so it is left alone. Returns null for an
 * unknown delivery.
 */
export async function attemptNow(db: Database, settings: Settings, ref: DeliveryRef): Promise<ManualAttempt | null> {
	const row = await selectTargets(db, theseDeliveries([ref])).get();
	const target = row && (await waveRows([row]))[0].target;
	if (!target) return null;
	const result = await checkAndSend(target, settings);
	const completed = { target, result };
	const now = Date.now();
	// A success ends the delivery (one that had failed or was cancelled too); a 410 stops it, like every other delivery to that endpoint.
	const finish = result.ok
		? db
				.update(deliveriesV2)
				.set(finished("delivered", now))
				.where(theseDeliveries([ref]))
		: result.statusCode === 410
			? db
					.update(deliveriesV2)
					.set(finished("failed", now))
					.where(and(theseDeliveries([ref]), unfinished()))
			: null;
	await db.batch([
		insertAttempts(db, [completed], true),
		...(finish ? [finish] : []),
		...(result.statusCode === 410 ? disableGoneEndpoint(db, target, now) : []),
	]);
	const after = await db
		.select({ status: deliveriesV2.status })
		.from(deliveriesV2)
		.where(theseDeliveries([ref]))
		.get();
	return { completed, deliveryStatus: after ? shownStatus(after.status) : "unknown" };
}
