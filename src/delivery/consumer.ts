/**
 * The consumer of the three delivery queues (main, bulk and isolation lane):
 * each batch goes through dispatch (per database); then each account's pacer
 * hears what the batch finished of its paced lane and takes what left for the
 * isolation lane (one call per account, and none for a main-lane batch that
 * handed nothing off), every failed delivery with retries left gets its alarm
 * armed, and every retry that came early is sent again when due. Messages are
 * acked once their outcome is durable in D1; holding one back is always a
 * fresh message (or the pacer), never `message.retry()`, which the queue
 * counts toward max_retries.
 */
import { readSettings, type Settings } from "../config";
import { accountBinding, accountDatabase, type Database } from "../db/client";
import { errorMessage, logError } from "../lib/log";
import { dispatch } from "./dispatch";
import { byAccount, pacerOf } from "./pacing";
import { type DeliveryMessage, enqueue, type Lane, laneOf, laneQueue } from "./queue";
import { armRetryAlarm } from "./retryAlarm";
import { holdForQueue, keyOf } from "./stateChanges";

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
				await consumeFromDatabase(env, db, settings, lane, messages);
				for (const message of messages) message.ack();
			} catch (error) {
				// D1, a queue or a pacer failed: these messages come back. Claims of deliveries not sent were handed back; one
				// whose request went out (its result unrecorded) returns through the sweep once its lease ends.
				logError("delivery_batch_failed", { lane, messages: messages.length, error: errorMessage(error), recovery: "queue retry" });
				for (const message of messages) message.retry();
			}
		}),
	);
}

/** One database's part of a batch, up to the point where every outcome is durable. */
async function consumeFromDatabase(env: Env, db: Database, settings: Settings, lane: Lane, messages: Message<DeliveryMessage>[]) {
	const bodies = messages.map((message) => message.body);
	const outcome = await dispatch(db, settings, lane, bodies);
	const early = new Set(outcome.early.map(({ message }) => keyOf(message)));
	await Promise.all(
		[...byAccount(bodies)].map(([accountId, own]) =>
			report(env, lane, accountId, own.filter((message) => !early.has(keyOf(message))).length, outcome.handedOff),
		),
	);
	if (outcome.handedOff.length) await holdForQueue(db, outcome.handedOff, settings, Date.now());
	await Promise.all([
		...outcome.retries.map(({ ref, at }) =>
			armRetryAlarm(env, ref, at).catch((error) =>
				// The retry is recorded in D1; the sweep hands it over once it is overdue.
				logError("arm_retry_failed", { account_id: ref.accountId, delivery_id: ref.deliveryId, error: errorMessage(error) }),
			),
		),
		// Still in its lane (not reported finished): sent again, as a fresh message, when due.
		...outcome.early.map(({ message, at }) => enqueue(laneQueue(env, lane), [message], Math.max(1, Math.ceil((at - Date.now()) / 1000)))),
	]);
}

/**
 * One account's report to its pacer: `done` of its messages from a paced lane
 * finished, and its deliveries among `handedOff` go to the isolation lane.
 * A main-lane batch reports only hand-offs. A lost report of `done` alone is
 * only logged (the pacer's alarm makes up for it); hand-offs must get through.
 */
async function report(env: Env, lane: Lane, accountId: string, done: number, handedOff: readonly DeliveryMessage[]): Promise<void> {
	const handOffs = handedOff.filter((message) => message.accountId === accountId);
	if (lane === "main" && !handOffs.length) return;
	try {
		await pacerOf(env, accountId).settle(lane, lane === "main" ? 0 : done, handOffs);
	} catch (error) {
		if (handOffs.length) throw error;
		logError("pacer_report_failed", { account_id: accountId, lane, done, error: errorMessage(error), recovery: "pacer alarm" });
	}
}
