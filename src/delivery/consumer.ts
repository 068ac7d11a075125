/**
 * The delivery queue's consumer: one automatic attempt per message, then a
 * RetryScheduler alarm for each delivery that failed with retries left.
 * Every message is acked on its own once its outcome is durable in D1.
 */
import { readSettings } from "../config";
import { database } from "../db/client";
import type { DeliveryMessage } from "../delivery/queue";
import { errorMessage } from "../http/errors";
import { logError } from "../log";
import { scheduleRetry } from "../retry/scheduler";
import { attemptDeliveries } from "./attempt";

export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
	let outcomes: Awaited<ReturnType<typeof attemptDeliveries>>;
	try {
		outcomes = await attemptDeliveries(
			database(env),
			readSettings(env),
			batch.messages.map((message) => message.body.deliveryId),
		);
	} catch (error) {
		// D1 failed: the queue brings these messages back; a delivery already claimed returns through the sweep.
		logError("delivery_batch_failed", { messages: batch.messages.length, error: errorMessage(error), recovery: "queue retry" });
		for (const message of batch.messages) message.retry();
		return;
	}
	const byId = new Map(outcomes.map((outcome) => [outcome.deliveryId, outcome]));
	await Promise.all(
		batch.messages.map(async (message) => {
			const outcome = byId.get(message.body.deliveryId);
			if (outcome?.result === "retrying") {
				try {
					await scheduleRetry(env, outcome.deliveryId, outcome.nextAttemptAt);
				} catch (error) {
					// The retry is recorded in D1; the sweep arms it once it is overdue.
					logError("arm_retry_failed", { delivery_id: outcome.deliveryId, error: errorMessage(error), recovery: "sweep" });
				}
			}
			message.ack();
		}),
	);
}
