/**
 * The sweep, run by the Cron Trigger every minute: nothing accepted is ever
 * left behind. It takes up deliveries that are pending or retrying, overdue
 * by STRANDED_AFTER_SECONDS and held by nobody (a lost queue send, a Worker
 * that died mid-attempt, an alarm that never got armed): those with attempts
 * left go back to their lane, the longest overdue first, once per stranding
 * (each is held for the lane again, a dead Worker's claim cleared, so the next
 * sweep leaves it be); those whose attempts are used up are marked failed.
 * Deliveries waiting in a queue are held and so not stranded. Running beside
 * normal delivery is safe: the claim decides.
 */
import { and, eq, gte, type SQL } from "drizzle-orm";
import { readSettings } from "../config";
import { type Database, everyDatabase } from "../db/client";
import { deliveries, endpoints } from "../db/schema";
import { laneFor } from "../delivery/isolation";
import { recordDeliveriesFailed } from "../delivery/operationalFacts";
import { enqueueRouted } from "../delivery/queue";
import { type DeliveryRef, deliveriesIn, finished, holdForQueue, maxAttempts, stranded as strandedAt } from "../delivery/stateChanges";

/** Most deliveries one sweep takes up per database; the next minute takes the rest. */
export const SWEEP_BATCH_LIMIT = 1000;

export interface SweepReport {
	requeued: number;
	failed: number;
}

export async function sweep(env: Env, now = Date.now()): Promise<SweepReport> {
	const report: SweepReport = { requeued: 0, failed: 0 };
	for (const db of everyDatabase(env)) {
		const { requeued, failed } = await sweepDatabase(env, db, now);
		report.requeued += requeued;
		report.failed += failed;
	}
	return report;
}

async function sweepDatabase(env: Env, db: Database, now: number): Promise<SweepReport> {
	const settings = readSettings(env);
	const stranded = strandedAt(settings, now);
	const found = await db
		.select({
			accountId: deliveries.accountId,
			deliveryId: deliveries.id,
			endpointId: deliveries.endpointId,
			attemptCount: deliveries.attemptCount,
			isolatedUntil: endpoints.isolatedUntil,
		})
		.from(deliveries)
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
		.where(stranded)
		// The longest overdue first, when more are stranded than one run takes.
		.orderBy(deliveries.nextAttemptAt)
		.limit(SWEEP_BATCH_LIMIT);
	const exhausted: DeliveryRef[] = found.filter((row) => row.attemptCount >= maxAttempts(settings));
	const requeue = found
		.filter((row) => row.attemptCount < maxAttempts(settings))
		.map((row) => ({ ...row, lane: laneFor(row.attemptCount, row.isolatedUntil, now) }));
	if (exhausted.length) {
		const used = and(deliveriesIn(exhausted), stranded, gte(deliveries.attemptCount, maxAttempts(settings))) as SQL;
		// The operator is told of each (delivery.failed), in the same transaction.
		await db.batch([recordDeliveriesFailed(db, used, now), db.update(deliveries).set(finished("failed", now)).where(used)]);
	}
	if (requeue.length) {
		await enqueueRouted(
			env,
			requeue.map(({ accountId, deliveryId, endpointId, lane }) => ({ accountId, deliveryId, endpointId, lane })),
		);
		await holdForQueue(db, requeue, settings, now);
	}
	return { requeued: requeue.length, failed: exhausted.length };
}
