/**
 * The consumer of the three delivery queues (main, bulk and isolation lane):
 * each batch goes through dispatch (per database: each account's, as the
 * directory says); then each account's pacer hears what the batch finished of
 * its paced lane and takes what left for a paced lane (one call per
 * account, and none for a main-lane batch that handed nothing off), every
 * failed delivery with retries left gets its alarm armed, and every retry that
 * came early is sent again when due. Messages are acked once their outcome is
 * durable in D1; holding one back is always a fresh message (or the pacer),
 * never `message.retry()`, which the queue counts toward max_retries. While a
 * main-lane batch that is behind runs, the isolate's bulk lane yields to it
 * (lanePriority.ts). Returns the databases whose records added operational
 * facts, for alerts/ to store as messages.
 */
import { readSettings, type Settings } from "../config";
import { type Database, reachableDatabase } from "../db/client";
import { placementsOf } from "../db/placement";
import { errorMessage, logError } from "../lib/log";
import type { Departures } from "./departures";
import { dispatch } from "./dispatch";
import { withMainLaneFirst } from "./lanePriority";
import { byAccount, pacerOf } from "./pacing";
import { type DeliveryMessage, enqueue, type Lane, laneOf, laneQueue } from "./queue";
import { armRetryAlarm } from "./retryAlarm";
import { holdForQueue, keyOf } from "./stateChanges";

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

export function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<string[]> {
	const lane = laneOf(batch.queue);
	return withMainLaneFirst(lane, batch.messages, () => consumeLaneBatch(batch, env, lane));
}

async function consumeLaneBatch(batch: MessageBatch<DeliveryMessage>, env: Env, lane: Lane): Promise<string[]> {
	const withFacts = new Set<string>();
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
				const { factsRecorded } = await consumeFromDatabase(env, db, settings, lane, messages);
				for (const message of messages) message.ack();
				if (factsRecorded) withFacts.add(database);
			} catch (error) {
				retry(messages, error);
			}
		}),
	);
	return [...withFacts];
}

/** One database's part of a batch, up to the point where every outcome is durable. */
async function consumeFromDatabase(env: Env, db: Database, settings: Settings, lane: Lane, messages: Message<DeliveryMessage>[]) {
	const bodies = messages.map((message) => message.body);
	const outcome = await dispatch(db, settings, lane, bodies);
	const later = new Set(outcome.later.map(({ message }) => keyOf(message)));
	await Promise.all(
		[...byAccount(bodies)].map(([accountId, own]) =>
			report(env, lane, accountId, own.filter((message) => !later.has(keyOf(message))).length, outcome),
		),
	);
	const { toIsolation, toBulk } = outcome.departures;
	const leaving = [...toIsolation, ...toBulk, ...outcome.overFairRate];
	if (leaving.length) await holdForQueue(db, leaving, settings, Date.now());
	await Promise.all([
		...outcome.retries.map(({ ref, at }) =>
			armRetryAlarm(env, ref, at).catch((error) =>
				// The retry is recorded in D1; the sweep hands it over once it is overdue.
				logError("arm_retry_failed", { account_id: ref.accountId, delivery_id: ref.deliveryId, error: errorMessage(error) }),
			),
		),
		// Still in its lane (not reported finished): sent again, as a fresh message, when due.
		...outcome.later.map(({ message, at }) => enqueue(laneQueue(env, lane), [message], Math.max(1, Math.ceil((at - Date.now()) / 1000)))),
	]);
	return outcome;
}

/**
 * One account's report to its pacer: `done` of its messages from a paced lane
 * finished, and its deliveries that left the batch for a paced lane: its
 * `departures`, and its first attempts among `overFairRate` for the bulk lane
 * (only these tell that the account is over its fair rate). A main-lane batch
 * reports only the hand-offs. A lost report of `done` alone is only logged
 * (the pacer's alarm makes up for it); hand-offs must get through.
 */
async function report(
	env: Env,
	lane: Lane,
	accountId: string,
	done: number,
	{ departures, overFairRate }: { departures: Departures; overFairRate: readonly DeliveryMessage[] },
): Promise<void> {
	const own = (messages: readonly DeliveryMessage[]) => messages.filter((message) => message.accountId === accountId);
	const overRate = own(overFairRate);
	const handOffs = { isolation: own(departures.toIsolation), bulk: [...overRate, ...own(departures.toBulk)] };
	const handingOff = handOffs.isolation.length + handOffs.bulk.length > 0;
	if (lane === "main" && !handingOff) return;
	try {
		await pacerOf(env, accountId).settle(lane, lane === "main" ? 0 : done, handOffs, overRate.length > 0);
	} catch (error) {
		if (handingOff) throw error;
		logError("pacer_report_failed", { account_id: accountId, lane, done, error: errorMessage(error), recovery: "pacer alarm" });
	}
}
