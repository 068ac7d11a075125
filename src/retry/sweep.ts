/**
 * The sweep, run by the Cron Trigger every minute: nothing accepted is ever
 * left behind. It takes up deliveries that are pending or retrying, overdue
 * by STRANDED_AFTER_SECONDS and held by nobody (a lost queue send, a Worker
 * that died mid-attempt, an alarm that never got armed): those with attempts
 * left go to their account's pacer, the longest overdue first, once per
 * stranding (each is held for its lane again, a dead Worker's claim cleared,
 * so the next sweep leaves it be): the pacer puts them on the lane their
 * endpoint and account call for, so a lost burst comes back on the bulk lane,
 * never as a flood of the main lane. Those whose attempts are used up are
 * marked failed.
 * Deliveries waiting in a queue are held and so not stranded. Running beside
 * normal delivery is safe: the claim decides.
 * First, it files the `new` deliveries made more than NEW_FOR_MS ago as
 * pending (delivery/stateChanges.ts), so it finds every unfinished delivery
 * through an index: deliveries_v2_unfinished, or the new ones' recent ids.
 */
import { and, eq, gte, type SQL } from "drizzle-orm";
import { readSettings } from "../config";
import { type Database, everyDatabase } from "../db/client";
import { theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { endpoints } from "../db/schema";
import { recordDeliveriesFailed } from "../delivery/operationalFacts";
import { handOver, handOverOf } from "../delivery/pacing";
import {
	type DeliveryRef,
	everyEndpoint,
	fileAgedNew,
	finished,
	holdForQueue,
	maxAttempts,
	NEW_FOR_MS,
	stranded as strandedAt,
	unfinished,
	unfinishedTo,
} from "../delivery/stateChanges";

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
	// Filed first: the new deliveries left are those of the last NEW_FOR_MS, so only those ids are read.
	const stranded = strandedAt(settings, now, unfinishedTo(everyEndpoint(), now, NEW_FOR_MS));
	const [, found] = await db.batch([
		fileAgedNew(db, now),
		db
			.select({
				accountId: deliveriesV2.accountId,
				deliveryId: deliveriesV2.id,
				endpointId: endpointKeys.endpointId,
				attemptCount: deliveriesV2.attemptCount,
				isolatedUntil: endpoints.isolatedUntil,
			})
			.from(deliveriesV2)
			.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
			.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
			.where(stranded)
			// The longest overdue first, when more are stranded than one run takes.
			.orderBy(deliveriesV2.nextAttemptAt)
			.limit(SWEEP_BATCH_LIMIT),
	]);
	const exhausted: DeliveryRef[] = found.filter((row) => row.attemptCount >= maxAttempts(settings));
	const requeue = found.filter((row) => row.attemptCount < maxAttempts(settings)).map((row) => handOverOf(row, row.isolatedUntil, now));
	if (exhausted.length) {
		const used = and(
			theseDeliveries(exhausted),
			strandedAt(settings, now, unfinished()),
			gte(deliveriesV2.attemptCount, maxAttempts(settings)),
		) as SQL;
		// The operator is told of each (delivery.failed), in the same transaction.
		await db.batch([recordDeliveriesFailed(db, used, now), db.update(deliveriesV2).set(finished("failed", now)).where(used)]);
	}
	const handed = requeue.length ? await handOver(env, requeue, "next sweep") : [];
	if (handed.length) await holdForQueue(db, handed, settings, now);
	return { requeued: handed.length, failed: exhausted.length };
}
