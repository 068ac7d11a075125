/**
 * Puts deliveries on the delivery queue: one message per delivery, holding
 * only its id (queue messages are small and bodies already live in D1).
 */
import { chunk } from "../chunk";
import { errorMessage } from "../http/errors";
import { logError } from "../log";

export interface DeliveryMessage {
	deliveryId: string;
}

/** Queues accept at most 100 messages per sendBatch. */
const MESSAGES_PER_SEND = 100;

export async function enqueueDeliveries(queue: Queue<DeliveryMessage>, deliveryIds: readonly string[]): Promise<void> {
	for (const part of chunk(deliveryIds, MESSAGES_PER_SEND)) {
		await queue.sendBatch(part.map((deliveryId) => ({ body: { deliveryId } })));
	}
}

/**
 * Queues deliveries already committed as pending in D1. A failed send is only
 * logged: the sweep enqueues whatever is still pending a little later.
 */
export async function enqueueOrLeaveToSweep(queue: Queue<DeliveryMessage>, deliveryIds: readonly string[]): Promise<void> {
	try {
		await enqueueDeliveries(queue, deliveryIds);
	} catch (error) {
		logError("enqueue_failed", { deliveries: deliveryIds.length, error: errorMessage(error), recovery: "sweep" });
	}
}
