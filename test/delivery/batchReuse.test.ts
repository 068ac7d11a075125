/**
 * Work a batch does once, not once per delivery: an event's deflated text is
 * inflated once for all its deliveries in the batch (they span several
 * waves), and an endpoint's signing key is imported once per isolate.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEndpoint, fixture, ingest, runConsumer, stubDestination } from "../helpers/worker";

afterEach(() => vi.restoreAllMocks());

describe("a batch", () => {
	it("inflates each event's body once, whatever the waves its deliveries are claimed in", async () => {
		const destination = stubDestination(() => new Response("ok"));
		for (let i = 0; i < 10; i++) await createEndpoint(`https://r${i}.example/hook`);
		const { queue } = await ingest(fixture("ticket.created"));
		const inflate = vi.spyOn(globalThis as unknown as { DecompressionStream: typeof DecompressionStream }, "DecompressionStream");
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(destination.requests).toHaveLength(10);
		expect(inflate).toHaveBeenCalledTimes(1);
	});

	it("imports an endpoint's signing key once for all its deliveries", async () => {
		stubDestination(() => new Response("ok"));
		await createEndpoint("https://one.example/hook");
		const messages = [];
		for (let i = 0; i < 3; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
		const importKey = vi.spyOn(crypto.subtle, "importKey");
		await runConsumer(messages.map((m) => m.deliveryId));
		await runConsumer(messages.map((m) => m.deliveryId));
		const hmacImports = importKey.mock.calls.filter(([, , algorithm]) => (algorithm as { name?: string }).name === "HMAC");
		expect(hmacImports.length).toBeLessThanOrEqual(1);
	});
});
