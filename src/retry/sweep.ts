/**
 * The sweep, run by the Cron Trigger every minute: nothing accepted is ever
 * left behind. It re-enqueues deliveries that are pending or retrying but
 * overdue by STRANDED_AFTER_SECONDS (a lost queue send, a Worker that died
 * mid-attempt, an alarm that never got armed) and marks as failed those whose
 * attempts are used up.
 * Running beside normal delivery is safe: the attempt's claim decides.
 */
import { and, gte, inArray, lt, lte } from "drizzle-orm";
import { readSettings } from "../config";
import { database } from "../db/client";
import { deliveries } from "../db/schema";
import { enqueueDeliveries } from "../delivery/queue";

/** Most deliveries one sweep re-enqueues; the next minute takes the rest. */
export const SWEEP_BATCH_LIMIT = 1000;

export interface SweepReport {
	requeued: number;
	failed: number;
}

export async function sweep(env: Env, now = Date.now()): Promise<SweepReport> {
	const settings = readSettings(env);
	const db = database(env);
	const overdue = lte(deliveries.nextAttemptAt, now - settings.strandedAfterMs);
	const unfinished = inArray(deliveries.status, ["pending", "retrying"]);
	const maxAttempts = settings.maxRetries + 1;
	const [exhausted, stranded] = await db.batch([
		db
			.update(deliveries)
			.set({ status: "failed", nextAttemptAt: null, claimId: null, updatedAt: now })
			.where(and(unfinished, overdue, gte(deliveries.attemptCount, maxAttempts)))
			.returning({ id: deliveries.id }),
		db
			.select({ id: deliveries.id })
			.from(deliveries)
			.where(and(unfinished, overdue, lt(deliveries.attemptCount, maxAttempts)))
			.limit(SWEEP_BATCH_LIMIT),
	]);
	await enqueueDeliveries(
		env.DELIVERY_QUEUE,
		stranded.map((row) => row.id),
	);
	return { requeued: stranded.length, failed: exhausted.length };
}
