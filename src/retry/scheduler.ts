/**
 * RetryScheduler: one Durable Object per failed delivery. Its alarm fires
 * when the next automatic attempt is due and hands the delivery to its
 * account's pacer, which puts it on the lane its endpoint and its account
 * call for at that moment (delivery/fairShare.ts: the isolation lane for an
 * isolated endpoint, else the main lane within the account's fair rate, else
 * the bulk lane); that lane's consumer makes the attempt (so every automatic
 * attempt goes through a lane, and counts against its in-flight bound).
 *
 * The alarm is never cleared while attempts remain: fired a little early, it
 * re-arms for the due time; with an attempt in flight, it looks again when
 * that attempt's lease ends; after a hand-over, it stays armed as a backstop
 * in case the lane has not taken the delivery by then. D1 decides; an alarm
 * that runs twice hands over twice, and the claim lets one attempt through.
 */
import { DurableObject } from "cloudflare:workers";
import { eq, type SQL } from "drizzle-orm";
import { readSettings } from "../config";
import { reachableDatabase } from "../db/client";
import { DEFAULT_ACCOUNT_ID } from "../db/defaultAccount";
import { deliveryOfAccount, theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { heldByMove, MOVE_WAIT_MS } from "../db/moveMarkers";
import { forgetPlacement, placementsOf } from "../db/placement";
import { endpoints } from "../db/schema";
import { handOverOf, pacerOf } from "../delivery/pacing";
import { type DeliveryRef, holdForQueue, isUnfinishedStatus, maxAttempts, queueHoldMs } from "../delivery/stateChanges";
import { errorMessage, logError } from "../lib/log";

/** When D1 or the pacer cannot be reached, the alarm tries again this much later. */
const ALARM_ERROR_BACKOFF_MS = 60_000;

export class RetryScheduler extends DurableObject<Env> {
	/** Arms the alarm for `ref` at `at` (ms). Re-arming moves it. */
	async schedule(ref: DeliveryRef, at: number): Promise<void> {
		await this.ctx.storage.put("delivery", ref);
		await this.ctx.storage.setAlarm(at);
	}

	override async alarm(): Promise<void> {
		const ref = await this.storedRef();
		if (!ref) return;
		let next: number | null;
		try {
			next = await handOverIfDue(this.env, ref);
		} catch (error) {
			// A throwing alarm is re-run by the platform within seconds; re-arm ourselves instead, the claim keeps it exact.
			logError("retry_alarm_failed", { account_id: ref.accountId, delivery_id: ref.deliveryId, error: errorMessage(error) });
			next = Date.now() + ALARM_ERROR_BACKOFF_MS;
		}
		if (next === null) await this.ctx.storage.deleteAll();
		else await this.ctx.storage.setAlarm(next);
	}

	/** The delivery as armed: with its endpoint since 0.6.0; before, without (found by id among the account's). */
	private async storedRef(): Promise<StoredRef | null> {
		const ref = await this.ctx.storage.get<StoredRef>("delivery");
		if (ref) return ref;
		// Armed before accounts existed: its delivery is in the default account.
		const deliveryId = await this.ctx.storage.get<string>("deliveryId");
		return deliveryId ? { accountId: DEFAULT_ACCOUNT_ID, deliveryId } : null;
	}
}

/** A delivery as an alarm armed before 0.6.0 may name it: without its endpoint. */
type StoredRef = Omit<DeliveryRef, "endpointId"> & { endpointId?: string };

/** Where the delivery is: by its full address, or (armed before 0.6.0) by id among its account's endpoints. */
function storedIn(ref: StoredRef): SQL {
	return ref.endpointId === undefined
		? deliveryOfAccount(ref.accountId, ref.deliveryId)
		: theseDeliveries([{ ...ref, endpointId: ref.endpointId }]);
}

/**
 * Hands the delivery to its account's pacer if it is due; returns when to look
 * again, or null when no attempt remains here: its account was purged, or its
 * database is no longer bound (the sweep there takes the delivery up once it is
 * bound again).
 */
async function handOverIfDue(env: Env, stored: StoredRef): Promise<number | null> {
	const settings = readSettings(env);
	const database = (await placementsOf(env, [stored.accountId])).get(stored.accountId);
	if (database === undefined) return null;
	const db = reachableDatabase(env, database, { account_id: stored.accountId, delivery_id: stored.deliveryId });
	if (!db) return null;
	const now = Date.now();
	const row = await db
		.select({
			status: deliveriesV2.status,
			attemptCount: deliveriesV2.attemptCount,
			nextAttemptAt: deliveriesV2.nextAttemptAt,
			claimId: deliveriesV2.claimId,
			leaseUntil: deliveriesV2.leaseUntil,
			endpointId: endpointKeys.endpointId,
			isolatedUntil: endpoints.isolatedUntil,
		})
		.from(deliveriesV2)
		.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
		.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
		.where(storedIn(stored))
		.get();
	if (!row && (await heldByMove(db, [stored.accountId])).size) {
		// Its account has moved away from this database (this isolate's placement is stale): look again shortly, in the directory.
		forgetPlacement(stored.accountId);
		return now + MOVE_WAIT_MS;
	}
	// Finished, or its attempts used up (the sweep marks it failed once the last one's lease ends).
	if (!row || !isUnfinishedStatus(row.status) || row.attemptCount >= maxAttempts(settings)) return null;
	if (row.nextAttemptAt !== null && row.nextAttemptAt > now) return row.nextAttemptAt;
	if (row.claimId !== null && row.leaseUntil !== null && row.leaseUntil > now) return row.leaseUntil;
	// A claim left here has outlived its lease (its Worker died): the hold clears it.
	const ref = { ...stored, endpointId: row.endpointId };
	await pacerOf(env, ref.accountId).handOver([handOverOf(ref, row.isolatedUntil, now)]);
	await holdForQueue(db, [ref], settings, now);
	return now + queueHoldMs(settings);
}
