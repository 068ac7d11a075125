/**
 * The consumer of both delivery queues (main and isolation lane): each batch
 * goes through dispatch (per database), then every failed delivery with
 * retries left gets its alarm armed and every retry that came early is sent
 * again when due. Messages are acked once their outcome is durable in D1.
 */
import { readSettings } from "../config";
import { accountBinding, accountDatabase } from "../db/client";
import { errorMessage, logError } from "../lib/log";
import { dispatch } from "./dispatch";
import { type DeliveryMessage, enqueue, laneOf, laneQueue } from "./queue";
import { armRetryAlarm } from "./retryAlarm";

/** A message written before accounts existed carries only a delivery id; the sweep re-enqueues its delivery in today's form. */
function isCurrent(body: Partial<DeliveryMessage>): body is DeliveryMessage {
	return typeof body.accountId === "string" && typeof body.deliveryId === "string" && typeof body.endpointId === "string";
}

export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
	const lane = laneOf(batch.queue);
	const settings = readSettings(env);
	const byDatabase = new Map<D1Database, Message<DeliveryMessage>[]>();
	for (const message of batch.messages) {
		if (!isCurrent(message.body)) {
			message.ack();
			continue;
		}
		const binding = accountBinding(env, message.body.accountId);
		byDatabase.set(binding, [...(byDatabase.get(binding) ?? []), message]);
	}
	await Promise.all(
		[...byDatabase.values()].map(async (messages) => {
			const db = accountDatabase(env, messages[0].body.accountId);
			try {
				const outcome = await dispatch(
					db,
					settings,
					lane,
					laneQueue(env, "isolation"),
					messages.map((message) => message.body),
				);
				await Promise.all([
					...outcome.retries.map(({ ref, at }) =>
						armRetryAlarm(env, ref, at).catch((error) =>
							// The retry is recorded in D1; the sweep hands it over once it is overdue.
							logError("arm_retry_failed", { account_id: ref.accountId, delivery_id: ref.deliveryId, error: errorMessage(error) }),
						),
					),
					...outcome.early.map(({ message, at }) =>
						enqueue(laneQueue(env, lane), [message], Math.max(1, Math.ceil((at - Date.now()) / 1000))),
					),
				]);
				for (const message of messages) message.ack();
			} catch (error) {
				// D1 or a queue failed: these messages come back. Claims of deliveries not sent were handed back; one whose
				// request went out (its result unrecorded) returns through the sweep once its lease ends.
				logError("delivery_batch_failed", { lane, messages: messages.length, error: errorMessage(error), recovery: "queue retry" });
				for (const message of messages) message.retry();
			}
		}),
	);
}
