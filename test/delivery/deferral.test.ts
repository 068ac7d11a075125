/**
 * Deferring never costs a message its place. Whatever holds a delivery back
 * (here: the isolation lane handing a slow endpoint's unsent deliveries back
 * to its end, through the account's pacer) sends it again as a fresh message
 * and acks the old one, never `message.retry()`: the queue counts a retry
 * toward max_retries and deletes the message past them, locally too. The
 * queue is modelled as the local broker treats a retried message.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { readSettings } from "../../src/config";
import { slowAfterMs } from "../../src/delivery/isolation";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { createEndpoint, fixture, ingest, messageFor, rows, runConsumer, sleep, stubDestination } from "../helpers/worker";

/** wrangler.toml's max_retries for every lane: past this many retries the queue deletes a message. */
const QUEUE_MAX_RETRIES = 10;

/** Deliveries of `count` new events (one endpoint is registered), read from D1: whichever lane ingest chose. */
async function newDeliveries(count: number): Promise<DeliveryMessage[]> {
	const messages = [];
	for (let i = 0; i < count; i++) {
		const { response } = await ingest(fixture("ticket.created"));
		const { event_id } = (await response.json()) as { event_id: string };
		const [delivery] = await rows<{ id: string }>("SELECT id FROM deliveries WHERE event_id = ?", event_id);
		messages.push(await messageFor(delivery.id));
	}
	return messages;
}

it(`delivers a delivery deferred more than max_retries (${QUEUE_MAX_RETRIES}) times, with exactly one automatic first attempt`, async () => {
	await createEndpoint("https://slow.example/hook");
	// Slow, but answering: each batch's first three sends pass the slow threshold and the rest of the batch is deferred.
	stubDestination(async () => {
		await sleep(slowAfterMs(readSettings(env)) + 50);
		return new Response("ok");
	});
	const [target] = await newDeliveries(1);
	/** The target's message as the queue holds it, with the number of times it has been delivered. */
	type Held = { body: DeliveryMessage; attempts: number };
	let held: Held | null = { body: target, attempts: 1 };
	let deferrals = 0;
	while (held && deferrals <= QUEUE_MAX_RETRIES) {
		const current: Held = held;
		const ahead = await newDeliveries(3);
		const result = await runConsumer([...ahead, current.body], {
			lane: "isolation",
			attempts: (message) => (message.deliveryId === target.deliveryId ? current.attempts : 1),
		});
		const retried = result.retryMessages.some((retry) => retry.msgId === `msg-${ahead.length}`);
		const resent = result.queue.messages.find((message) => message.deliveryId === target.deliveryId);
		// A retried message comes back once more, or is deleted past max_retries; a fresh one starts over.
		held = retried
			? current.attempts <= QUEUE_MAX_RETRIES
				? { ...current, attempts: current.attempts + 1 }
				: null
			: resent
				? { body: resent, attempts: 1 }
				: null;
		expect(held, `the target after deferral ${deferrals + 1}`).not.toBeNull();
		deferrals++;
	}
	expect(deferrals).toBeGreaterThan(QUEUE_MAX_RETRIES);
	expect(await rows("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id = ?", target.deliveryId)).toEqual([{ n: 0 }]);

	// Alone in its batch at last, it is sent.
	await runConsumer([(held as Held).body], { lane: "isolation" });
	expect(await rows("SELECT attempt_number, manual FROM delivery_attempts WHERE delivery_id = ?", target.deliveryId)).toEqual([
		{ attempt_number: 1, manual: 0 },
	]);
	expect(await rows("SELECT status, attempt_count FROM deliveries WHERE id = ?", target.deliveryId)).toEqual([
		{ status: "delivered", attempt_count: 1 },
	]);
	// Eleven rounds, each waiting out the slow threshold: about 4 s on a quiet machine, more on a busy one.
}, 30_000);
