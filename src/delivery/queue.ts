/**
 * The delivery queues and their one message type, shared by every sender
 * (ingest, the delivery actions, the retry scheduler, the sweep) and the consumer.
 *
 * One message per delivery, holding its address only (bodies live in D1).
 * Two lanes, each its own queue with its own consumer, so a slow destination
 * never holds up a healthy one:
 * - main: first attempts to endpoints that answer in time;
 * - isolation: endpoints that are slow or unresponsive right now, and every
 *   retry (a retry exists because its endpoint failed).
 */

import { chunk } from "../lib/chunk";
import { errorMessage, logError } from "../lib/log";
import type { DeliveryRef } from "./stateChanges";

export type Lane = "main" | "isolation";

export interface DeliveryMessage extends DeliveryRef {
	/** Lets the consumer share its connections fairly among endpoints before it reads D1. */
	endpointId: string;
}

/** The isolation lane's queue name, as wrangler.toml declares it: how the consumer tells its lanes apart. */
export const ISOLATION_QUEUE_NAME = "hivepost-isolation";

export function laneOf(queueName: string): Lane {
	return queueName === ISOLATION_QUEUE_NAME ? "isolation" : "main";
}

export function laneQueue(env: Env, lane: Lane): Queue<DeliveryMessage> {
	return lane === "main" ? env.DELIVERY_QUEUE : env.ISOLATION_QUEUE;
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

/** Puts each delivery on its lane's queue. */
export async function enqueueRouted(env: Env, routed: readonly Routed[]): Promise<void> {
	for (const lane of ["main", "isolation"] as const) {
		const messages = routed.filter((message) => message.lane === lane).map(({ lane: _, ...message }) => message);
		if (messages.length) await enqueue(laneQueue(env, lane), messages);
	}
}

/**
 * Queues deliveries already committed in D1. A failed send is only logged:
 * the sweep enqueues whatever is still pending a little later.
 */
export async function enqueueOrLeaveToSweep(env: Env, routed: readonly Routed[]): Promise<void> {
	try {
		await enqueueRouted(env, routed);
	} catch (error) {
		logError("enqueue_failed", { deliveries: routed.length, error: errorMessage(error), recovery: "sweep" });
	}
}
