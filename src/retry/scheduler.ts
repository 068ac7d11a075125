/**
 * RetryScheduler: one Durable Object per failed delivery (named by its id).
 * Its alarm makes the next automatic attempt; after it, the object re-arms for
 * the following retry or clears itself. The attempt count lives in D1, so an
 * alarm that runs twice, or late, finds nothing due and makes no extra attempt.
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { readSettings } from "../config";
import { type Database, database } from "../db/client";
import { deliveries } from "../db/schema";
import { attemptDeliveries } from "../delivery/attempt";
import { errorMessage } from "../http/errors";
import { logError } from "../log";

/** When the attempt itself cannot run (D1 unavailable), try again this much later. */
const ALARM_ERROR_BACKOFF_MS = 60_000;

export class RetryScheduler extends DurableObject<Env> {
	/** Arms the alarm for `deliveryId` at `at` (ms). Re-arming moves the alarm. */
	async schedule(deliveryId: string, at: number): Promise<void> {
		await this.ctx.storage.put("deliveryId", deliveryId);
		await this.ctx.storage.setAlarm(at);
	}

	override async alarm(): Promise<void> {
		const deliveryId = await this.ctx.storage.get<string>("deliveryId");
		if (!deliveryId) return;
		let next: number | null;
		try {
			const db = database(this.env);
			const [outcome] = await attemptDeliveries(db, readSettings(this.env), [deliveryId]);
			// Skipped: not due yet or already finished; follow what D1 says.
			next =
				outcome.result === "retrying" ? outcome.nextAttemptAt : outcome.result === "skipped" ? await findDueTime(db, deliveryId) : null;
		} catch (error) {
			// A throwing alarm is re-run by the platform within seconds; re-arm ourselves instead, the claim keeps it exact.
			logError("retry_alarm_failed", { delivery_id: deliveryId, error: errorMessage(error) });
			next = Date.now() + ALARM_ERROR_BACKOFF_MS;
		}
		if (next === null) {
			await this.ctx.storage.deleteAll();
		} else {
			await this.ctx.storage.setAlarm(next);
		}
	}
}

/** Asks the delivery's RetryScheduler to make the next attempt at `at`. */
export async function scheduleRetry(env: Env, deliveryId: string, at: number): Promise<void> {
	const stub = env.RETRY_SCHEDULER.get(env.RETRY_SCHEDULER.idFromName(deliveryId));
	await stub.schedule(deliveryId, at);
}

/** When a delivery's next automatic attempt is due, or null when the alarm has nothing left to do for it. */
async function findDueTime(db: Database, deliveryId: string): Promise<number | null> {
	const row = await db
		.select({ status: deliveries.status, nextAttemptAt: deliveries.nextAttemptAt })
		.from(deliveries)
		.where(eq(deliveries.id, deliveryId))
		.get();
	if (!row || (row.status !== "pending" && row.status !== "retrying")) return null;
	// Due, yet the claim passed it over: its attempts are used up, and the sweep marks it failed.
	if (row.nextAttemptAt === null || row.nextAttemptAt <= Date.now()) return null;
	return row.nextAttemptAt;
}
