/**
 * A destination's response body that fails to stream after the status line:
 * the status decides the outcome, the part read is kept, the error says what
 * happened to the body.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createEndpoint, fixture, ingest, rows, runConsumer } from "../helpers/worker";

const FIRST_CHUNK = "received, thanks";

/** A destination whose answer has this status and a body that sends FIRST_CHUNK, then does `then`. */
function stubBrokenBody(status: number, then: "reset" | "hang") {
	return vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
		const signal = init?.signal ?? undefined;
		let pulls = 0;
		const body = new ReadableStream<Uint8Array>({
			// The error comes on the second pull, once the first chunk has been read: erroring a
			// stream throws away chunks still queued in it.
			pull(controller) {
				pulls += 1;
				if (pulls === 1) return controller.enqueue(new TextEncoder().encode(FIRST_CHUNK));
				if (then === "reset") return controller.error(new TypeError("Network connection lost."));
				// Never closes; gives up only when the caller's signal fires, as a real fetch body does.
				return new Promise<void>((resolve) => {
					signal?.addEventListener("abort", () => {
						controller.error(signal.reason);
						resolve();
					});
				});
			},
		});
		return new Response(body, { status });
	});
}

async function deliverOnce() {
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const [{ deliveryId }] = queue.messages;
	await runConsumer([deliveryId]);
	const [delivery] = await rows<{ status: string; attempt_count: number }>(
		"SELECT status, attempt_count FROM deliveries WHERE id = ?",
		deliveryId,
	);
	const attempts = await rows<{ status_code: number | null; succeeded: number; response_body: string | null; error: string | null }>(
		"SELECT status_code, succeeded, response_body, error FROM delivery_attempts WHERE delivery_id = ?",
		deliveryId,
	);
	return { delivery, attempts };
}

describe("a response body that fails after the status line", () => {
	it("a 200 whose body is cut off mid-stream is delivered, with the part read and a note", async () => {
		stubBrokenBody(200, "reset");
		const { delivery, attempts } = await deliverOnce();
		expect(delivery).toEqual({ status: "delivered", attempt_count: 1 });
		expect(attempts).toEqual([
			{ status_code: 200, succeeded: 1, response_body: FIRST_CHUNK, error: expect.stringMatching(/^response body: .*connection lost/i) },
		]);
	});

	it("a 200 whose body outlasts DELIVERY_TIMEOUT_MS is delivered, with the part read and a note", async () => {
		expect(env.DELIVERY_TIMEOUT_MS).toBe("500");
		stubBrokenBody(200, "hang");
		const started = Date.now();
		const { delivery, attempts } = await deliverOnce();
		// The timeout cut the read short; nothing waited for a body that never ends.
		expect(Date.now() - started).toBeLessThan(5000);
		expect(delivery).toEqual({ status: "delivered", attempt_count: 1 });
		expect(attempts).toEqual([
			{
				status_code: 200,
				succeeded: 1,
				response_body: FIRST_CHUNK,
				error: expect.stringMatching(/^response body: timed out: .*within 500 ms/),
			},
		]);
	});

	it("a 503 whose body is cut off keeps its HTTP 503 error, with the body note appended", async () => {
		stubBrokenBody(503, "reset");
		const { delivery, attempts } = await deliverOnce();
		expect(delivery).toEqual({ status: "retrying", attempt_count: 1 });
		expect(attempts).toEqual([
			{ status_code: 503, succeeded: 0, response_body: FIRST_CHUNK, error: expect.stringMatching(/^HTTP 503; response body: /) },
		]);
	});
});
