/**
 * The delivery queues and their one message type, shared by every sender
 * (ingest, the delivery actions, the account pacers, the retry scheduler, the
 * sweep) and the consumer.
 *
 * One message per delivery, holding its address only (bodies live in D1).
 * Three lanes, each its own queue with its own consumer, so that a slow
 * destination never holds up a healthy one and one account's backlog never
 * holds up another account's work:
 * - main: first attempts and quick retries of accounts within their fair
 *   rate, to endpoints that answer in time;
 * - bulk: the same work for accounts over their fair rate, and for an
 *   endpoint sent more than it takes (a main-lane batch's budget);
 * - isolation: endpoints that are slow or unresponsive right now, for every
 *   account.
 * Only an account's pacer (accountPacer.ts) puts work on the bulk and
 * isolation lanes, within the account's share of them (fairShare.ts).
 */

import { chunk } from "../lib/chunk";
import type { DeliveryRef } from "./stateChanges";

export type Lane = "main" | "bulk" | "isolation";

/** The lanes that carry backlogs, where each account gets a bounded share through its pacer. */
export type PacedLane = Exclude<Lane, "main">;

export const PACED_LANES = ["bulk", "isolation"] as const satisfies readonly PacedLane[];

export interface DeliveryMessage extends DeliveryRef {
	/** Lets the consumer share its connections fairly among endpoints before it reads D1. */
	endpointId: string;
}

/** Each lane's queue name, as wrangler.toml declares it: how the consumer tells its lanes apart. */
export const LANE_QUEUE_NAMES: Record<Lane, string> = {
	main: "hivepost-deliveries",
	bulk: "hivepost-bulk",
	isolation: "hivepost-isolation",
};

export function laneOf(queueName: string): Lane {
	return (Object.keys(LANE_QUEUE_NAMES) as Lane[]).find((lane) => LANE_QUEUE_NAMES[lane] === queueName) ?? "main";
}

export function laneQueue(env: Env, lane: Lane): Queue<DeliveryMessage> {
	return { main: env.DELIVERY_QUEUE, bulk: env.BULK_QUEUE, isolation: env.ISOLATION_QUEUE }[lane];
}

/** Queues accept at most 100 messages per sendBatch. */
const MESSAGES_PER_SEND = 100;

export async function enqueue(queue: Queue<DeliveryMessage>, messages: readonly DeliveryMessage[], delaySeconds = 0): Promise<void> {
	for (const part of chunk(messages, MESSAGES_PER_SEND)) {
		await queue.sendBatch(part.map((body) => ({ body, delaySeconds })));
	}
}

/** Deliveries, each with the lane it goes to. */
export type Routed = DeliveryMessage & { lane: Lane };

/** Just the message of a routed delivery. */
export const messageOf = ({ lane: _, ...message }: Routed): DeliveryMessage => message;
