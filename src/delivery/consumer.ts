/**
 * The consumer of both delivery queues (main and isolation lane): each batch
 * goes through dispatch (per database: each account's, as the directory
 * says), then every failed delivery with retries left gets its alarm armed
 * and every retry that came early is sent again when due. Messages are acked
 * once their outcome is durable in D1. Returns the databases whose records
 * added operational facts, for alerts/ to store as messages.
 */
import { readSettings } from "../config";
import { reachableDatabase } from "../db/client";
import { placementsOf } from "../db/placement";
import { errorMessage, logError } from "../lib/log";
import { dispatch } from "./dispatch";
import { type DeliveryMessage, enqueue, laneOf, laneQueue } from "./queue";
import { armRetryAlarm } from "./retryAlarm";

/** A message written before accounts existed carries only a delivery id; the sweep re-enqueues its delivery in today's form. */
function isCurrent(body: Partial<DeliveryMessage>): body is DeliveryMessage {
	return typeof body.accountId === "string" && typeof body.deliveryId === "string" && typeof body.endpointId === "string";
}

type Messages = Message<DeliveryMessage>[];

/**
 * The messages by the binding of their account's database, the directory
 * read once for accounts not seen before. One whose account is gone from the
 * directory (purged, with every delivery it had) is acked.
 */
async function byDatabase(env: Env, messages: Messages): Promise<Map<string, Messages>> {
	const placements = await placementsOf(
		env,
		messages.map((message) => message.body.accountId),
	);
	const grouped = new Map<string, Messages>();
	for (const message of messages) {
		const database = placements.get(message.body.accountId);
		if (database === undefined) message.ack();
		else grouped.set(database, [...(grouped.get(database) ?? []), message]);
	}
	return grouped;
}

export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<string[]> {
	const withFacts = new Set<string>();
	const lane = laneOf(batch.queue);
	const settings = readSettings(env);
	const current: Messages = [];
	for (const message of batch.messages) {
		if (isCurrent(message.body)) current.push(message);
		else message.ack();
	}
	// D1 or a queue failed: these messages come back. Claims of deliveries not sent were handed back; one whose
	// request went out (its result unrecorded) returns through the sweep once its lease ends.
	const retry = (messages: Messages, error: unknown) => {
		logError("delivery_batch_failed", { lane, messages: messages.length, error: errorMessage(error), recovery: "queue retry" });
		for (const message of messages) message.retry();
	};
	let grouped: Map<string, Messages>;
	try {
		grouped = await byDatabase(env, current);
	} catch (error) {
		retry(current, error);
		return [];
	}
	await Promise.all(
		[...grouped].map(async ([database, messages]) => {
			// Its binding gone: the deliveries wait in that database, and its sweep takes them up once it is bound again.
			const db = reachableDatabase(env, database, { lane, messages: messages.length });
			if (!db) {
				for (const message of messages) message.ack();
				return;
			}
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
				if (outcome.factsRecorded) withFacts.add(database);
			} catch (error) {
				retry(messages, error);
			}
		}),
	);
	return [...withFacts];
}
