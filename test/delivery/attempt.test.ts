import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { SUCCESS_EXCERPT_CHARS } from "../../src/delivery/record";
import { USER_AGENT } from "../../src/delivery/send";
import { createEndpoint, deliveryRow, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

/** Registers one endpoint, ingests one event and returns its delivery. */
async function oneDelivery(actionType = "ticket.created") {
	const endpoint = await createEndpoint("https://receiver.example/hook");
	const body = fixture(actionType);
	const { response, queue } = await ingest(body);
	const { event_id } = (await response.json()) as { event_id: string };
	return { endpoint, body, eventId: event_id, deliveryId: queue.messages[0].deliveryId };
}

describe("a delivery attempt", () => {
	it("POSTs the exact body with Standard Webhooks headers that verify with the standardwebhooks package", async () => {
		const destination = stubDestination(() => new Response("thanks"));
		const { endpoint, body, eventId, deliveryId } = await oneDelivery("agent.reply.created");
		const result = await runConsumer([deliveryId]);
		expect(result.explicitAcks).toEqual(["msg-0"]);

		const [sent] = destination.requests;
		expect(sent.url).toBe("https://receiver.example/hook");
		expect(sent.body).toBe(body);
		expect(sent.headers.get("content-type")).toBe("application/json");
		expect(sent.headers.get("user-agent")).toBe(USER_AGENT);
		expect(sent.headers.get("webhook-id")).toBe(eventId);
		const verified = new Webhook(endpoint.secret).verify(sent.body, Object.fromEntries(sent.headers));
		expect(verified).toEqual(JSON.parse(body));
		expect(() => new Webhook(`whsec_${btoa("another secret of 24 bytes")}`).verify(sent.body, Object.fromEntries(sent.headers))).toThrow();

		expect(await deliveryRow(deliveryId)).toMatchObject({ status: "delivered", attempt_count: 1, next_attempt_at: null });
		const [attempt] = await rows("SELECT * FROM delivery_attempts WHERE delivery_id = ?", deliveryId);
		expect(attempt).toMatchObject({ attempt_number: 1, status_code: 200, error: null, response_body: "thanks", succeeded: 1 });
	});

	it("sends the same webhook-id to every endpoint of one event", async () => {
		const destination = stubDestination(() => new Response(null, { status: 204 }));
		await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const { response, queue } = await ingest(fixture("ticket.created"));
		const { event_id } = (await response.json()) as { event_id: string };
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(destination.requests.map((r) => r.headers.get("webhook-id"))).toEqual([event_id, event_id]);
		expect(destination.requests.map((r) => r.url).sort()).toEqual(["https://a.example/hook", "https://b.example/hook"]);
	});

	const failures: { name: string; respond: () => Response | Promise<Response>; statusCode: number | null; error: RegExp }[] = [
		{
			name: "a redirect (not followed)",
			respond: () => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }),
			statusCode: 302,
			error: /redirects are not followed/,
		},
		{ name: "a 4xx", respond: () => new Response("no", { status: 404 }), statusCode: 404, error: /HTTP 404/ },
		{ name: "a 5xx", respond: () => new Response("down", { status: 503 }), statusCode: 503, error: /HTTP 503/ },
		{
			name: "a network error",
			respond: () => {
				throw new TypeError("connection refused");
			},
			statusCode: null,
			error: /network error: connection refused/,
		},
	];
	for (const failure of failures) {
		it(`counts ${failure.name} as a failure and schedules the retry an interval later`, async () => {
			stubDestination(failure.respond);
			const { deliveryId } = await oneDelivery();
			const before = Date.now();
			await runConsumer([deliveryId]);
			const row = await deliveryRow(deliveryId);
			expect(row.status).toBe("retrying");
			expect(row.attempt_count).toBe(1);
			expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + Number(env.RETRY_INTERVAL_SECONDS) * 1000);
			expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now() + Number(env.RETRY_INTERVAL_SECONDS) * 1000);
			const [attempt] = await rows<{ status_code: number | null; error: string; succeeded: number }>(
				"SELECT * FROM delivery_attempts WHERE delivery_id = ?",
				deliveryId,
			);
			expect(attempt.status_code).toBe(failure.statusCode);
			expect(attempt.error).toMatch(failure.error);
			expect(attempt.succeeded).toBe(0);
		});
	}

	it("gives up on a destination that does not answer within DELIVERY_TIMEOUT_MS", async () => {
		vi.spyOn(globalThis, "fetch").mockImplementation(
			(_input, init) =>
				new Promise((_resolve, reject) => {
					init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
				}),
		);
		const { deliveryId } = await oneDelivery();
		await runConsumer([deliveryId]);
		const [attempt] = await rows<{ error: string; duration_ms: number }>(
			"SELECT * FROM delivery_attempts WHERE delivery_id = ?",
			deliveryId,
		);
		expect(attempt.error).toBe(`timed out: no response within ${env.DELIVERY_TIMEOUT_MS} ms`);
		expect(attempt.duration_ms).toBeGreaterThanOrEqual(Number(env.DELIVERY_TIMEOUT_MS) - 5);
		expect((await deliveryRow(deliveryId)).status).toBe("retrying");
	});

	it("keeps only the first 8 KB of a failed attempt's response body", async () => {
		stubDestination(() => new Response("y".repeat(100_000), { status: 500 }));
		const { deliveryId } = await oneDelivery();
		await runConsumer([deliveryId]);
		const [attempt] = await rows<{ response_body: string }>("SELECT response_body FROM attempts WHERE delivery_id = ?", deliveryId);
		expect(attempt.response_body).toHaveLength(8 * 1024);
	});

	it("keeps a clean success on the delivery's row, not as an attempts row, with the first SUCCESS_EXCERPT_CHARS of the answer", async () => {
		stubDestination(() => new Response("y".repeat(100_000)));
		const { deliveryId } = await oneDelivery();
		await runConsumer([deliveryId]);
		expect(await rows("SELECT seq FROM attempts WHERE delivery_id = ?", deliveryId)).toEqual([]);
		expect(
			await rows(
				"SELECT attempt_number, manual, status_code, error, length(response_body) AS kept, succeeded FROM delivery_attempts WHERE delivery_id = ?",
				deliveryId,
			),
		).toEqual([{ attempt_number: 1, manual: 0, status_code: 200, error: null, kept: SUCCESS_EXCERPT_CHARS, succeeded: 1 }]);
	});

	it("makes one attempt when the same message arrives twice", async () => {
		const destination = stubDestination(() => new Response("ok"));
		const { deliveryId } = await oneDelivery();
		const result = await runConsumer([deliveryId, deliveryId]);
		expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		await runConsumer([deliveryId]);
		expect(destination.requests).toHaveLength(1);
		expect(await rows("SELECT seq FROM delivery_attempts")).toHaveLength(1);
	});

	it("acks each message on its own: one dead destination does not re-send the others", async () => {
		const destination = stubDestination((request) => new Response(null, { status: request.url.includes("dead") ? 500 : 200 }));
		await createEndpoint("https://dead.example/hook");
		await createEndpoint("https://fine.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const result = await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(result.retryMessages).toEqual([]);
		expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		expect(destination.requests).toHaveLength(2);
	});

	it("keeps at most 6 fetches in flight", async () => {
		let inFlight = 0;
		let peak = 0;
		let releaseFirstSix: () => void = () => {};
		const firstSixArrived = new Promise<void>((resolve) => {
			releaseFirstSix = resolve;
		});
		stubDestination(async () => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			// Hold the answers until six requests are open at once (or 200 ms pass): a seventh would show here.
			if (inFlight === 6) releaseFirstSix();
			await Promise.race([firstSixArrived, new Promise((resolve) => setTimeout(resolve, 200))]);
			inFlight--;
			return new Response("ok");
		});
		for (let i = 0; i < 15; i++) await createEndpoint(`https://r${i}.example/hook`);
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(peak).toBe(6);
		expect(await rows("SELECT id FROM deliveries WHERE status = 'delivered'")).toHaveLength(15);
	});

	it("records a batch of mixed outcomes, each retry at the time its destination asked for", async () => {
		// 35 retrying deliveries: more than one UPDATE's worth, each with its own Retry-After beyond the hourly interval.
		const retryAfterSeconds = (i: number) => 3600 + i * 60;
		stubDestination((request) => {
			const i = Number(new URL(request.url).pathname.slice(1));
			if (i === 0) return new Response(null, { status: 410 });
			return i % 2 ? new Response(null, { status: 503, headers: { "retry-after": String(retryAfterSeconds(i)) } }) : new Response("ok");
		});
		for (let i = 0; i < 71; i++) await createEndpoint(`https://r.example/${i}`);
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		const recorded = await rows<{
			url: string;
			status: string;
			next_attempt_at: number | null;
			started_at: number;
			claim_id: string | null;
		}>(
			`SELECT endpoints.url, deliveries.status, deliveries.next_attempt_at, deliveries.claim_id, attempts.started_at
			 FROM deliveries JOIN endpoints ON endpoints.id = deliveries.endpoint_id JOIN delivery_attempts attempts ON attempts.delivery_id = deliveries.id`,
		);
		expect(recorded).toHaveLength(71);
		for (const row of recorded) {
			const i = Number(new URL(row.url).pathname.slice(1));
			expect(row.claim_id).toBeNull();
			if (i === 0) expect(row).toMatchObject({ status: "failed", next_attempt_at: null });
			else if (i % 2) expect(row).toMatchObject({ status: "retrying", next_attempt_at: row.started_at + retryAfterSeconds(i) * 1000 });
			else expect(row).toMatchObject({ status: "delivered", next_attempt_at: null });
		}
	});
});
