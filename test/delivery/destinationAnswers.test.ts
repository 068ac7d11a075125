import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { MAX_RETRY_AFTER_MS } from "../../src/delivery/record";
import { USER_AGENT } from "../../src/delivery/send";
import { newSigningSecret } from "../../src/lib/standardWebhooks";
import {
	alarmTime,
	createEndpoint,
	fixture,
	ingest,
	operatorHeaders,
	request,
	rows,
	runConsumer,
	runRetryAlarm,
	stubDestination,
} from "../helpers/worker";

const intervalMs = Number(env.RETRY_INTERVAL_SECONDS) * 1000;

async function deliverOnce() {
	const endpoint = await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const deliveryIds = queue.messages.map((m) => m.deliveryId);
	const before = Date.now();
	await runConsumer(deliveryIds);
	return { endpoint, deliveryId: deliveryIds[0], before };
}

async function nextAttemptAt(deliveryId: string) {
	const [row] = await rows<{ next_attempt_at: number }>("SELECT next_attempt_at FROM deliveries WHERE id = ?", deliveryId);
	return row.next_attempt_at;
}

describe("what a destination answers", () => {
	it("410 Gone disables the endpoint, fails this delivery and cancels its other retries", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue: first } = await ingest(fixture("ticket.created"));
		await runConsumer(first.messages.map((m) => m.deliveryId));
		vi.restoreAllMocks();
		stubDestination(() => new Response("gone", { status: 410 }));
		const { queue: second } = await ingest(fixture("ticket.answered"));
		const [{ deliveryId }] = second.messages;
		await runConsumer([deliveryId]);

		const [row] = await rows<{ enabled: number; disabled_reason: string }>(
			"SELECT enabled, disabled_reason FROM endpoints WHERE id = ?",
			endpoint.id,
		);
		expect(row.enabled).toBe(0);
		expect(row.disabled_reason).toMatch(/410 Gone/);
		const statuses = await rows<{ id: string; status: string }>("SELECT id, status FROM deliveries ORDER BY created_at");
		expect(statuses).toEqual([
			{ id: first.messages[0].deliveryId, status: "cancelled" },
			{ id: deliveryId, status: "failed" },
		]);
		// Visible through the API, with the reason.
		const { response: shown } = await request(`/api/endpoints/${endpoint.id}`, { headers: operatorHeaders });
		expect(await shown.json()).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/410 Gone/) });
		// A disabled endpoint gets no new deliveries.
		const { response } = await ingest(fixture("ticket.created"));
		expect(((await response.json()) as { deliveries: number }).deliveries).toBe(0);
	});

	for (const status of [429, 503]) {
		it(`${status} with Retry-After in seconds postpones the next retry to no earlier than asked`, async () => {
			stubDestination(() => new Response(null, { status, headers: { "retry-after": String((intervalMs / 1000) * 3) } }));
			const { deliveryId, before } = await deliverOnce();
			expect(await nextAttemptAt(deliveryId)).toBeGreaterThanOrEqual(before + intervalMs * 3);
			expect(await nextAttemptAt(deliveryId)).toBeLessThan(Date.now() + intervalMs * 3 + 1000);
		});
	}

	it("takes Retry-After as an HTTP date", async () => {
		const later = new Date(Date.now() + intervalMs * 5);
		stubDestination(() => new Response(null, { status: 429, headers: { "retry-after": later.toUTCString() } }));
		const { deliveryId } = await deliverOnce();
		expect(Math.abs((await nextAttemptAt(deliveryId)) - later.getTime())).toBeLessThan(2000);
	});

	it("never waits less than the retry interval for a short Retry-After", async () => {
		stubDestination(() => new Response(null, { status: 429, headers: { "retry-after": "1" } }));
		const { deliveryId, before } = await deliverOnce();
		expect(await nextAttemptAt(deliveryId)).toBeGreaterThanOrEqual(before + intervalMs);
	});

	it("honours Retry-After up to 24 hours only", async () => {
		expect(MAX_RETRY_AFTER_MS).toBe(24 * 60 * 60 * 1000);
		stubDestination(() => new Response(null, { status: 503, headers: { "retry-after": String(7 * 24 * 3600) } }));
		const { deliveryId, before } = await deliverOnce();
		expect(await nextAttemptAt(deliveryId)).toBeGreaterThanOrEqual(before + MAX_RETRY_AFTER_MS);
		expect(await nextAttemptAt(deliveryId)).toBeLessThanOrEqual(Date.now() + MAX_RETRY_AFTER_MS);
	});

	it("does not follow a redirect to a private address: the 3xx is a failed attempt", async () => {
		const destination = stubDestination(
			() => new Response(null, { status: 307, headers: { location: "http://169.254.169.254/latest/meta-data/" } }),
		);
		const { deliveryId } = await deliverOnce();
		expect(destination.requests.map((r) => r.url)).toEqual(["https://receiver.example/hook"]);
		expect(destination.spy.mock.calls[0][1]?.redirect).toBe("manual");
		const [attempt] = await rows<{ status_code: number; error: string }>(
			"SELECT status_code, error FROM delivery_attempts WHERE delivery_id = ?",
			deliveryId,
		);
		expect(attempt).toEqual({ status_code: 307, error: "HTTP 307: redirects are not followed" });
	});

	it("reads only the first 8 KB of a 1 MB answer and cancels the rest of the stream", async () => {
		let pulledBytes = 0;
		let cancelled = false;
		const chunk = new Uint8Array(16 * 1024).fill(65);
		stubDestination(
			() =>
				new Response(
					new ReadableStream({
						pull(controller) {
							if (pulledBytes >= 1024 * 1024) return controller.close();
							pulledBytes += chunk.byteLength;
							controller.enqueue(chunk);
						},
						cancel() {
							cancelled = true;
						},
					}),
					// A failure: its answer is kept up to 8 KB (a success's, SUCCESS_EXCERPT_CHARS).
					{ status: 500 },
				),
		);
		const { deliveryId } = await deliverOnce();
		const [attempt] = await rows<{ response_body: string; status_code: number }>(
			"SELECT response_body, status_code FROM delivery_attempts WHERE delivery_id = ?",
			deliveryId,
		);
		expect(attempt.status_code).toBe(500);
		expect(attempt.response_body).toHaveLength(8 * 1024);
		expect(cancelled).toBe(true);
		expect(pulledBytes).toBeLessThan(1024 * 1024);
	});

	it("stores a hostile response body verbatim (pages escape it when they show it)", async () => {
		const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
		stubDestination(() => new Response(hostile, { status: 500 }));
		const { deliveryId } = await deliverOnce();
		expect(await rows("SELECT response_body FROM delivery_attempts WHERE delivery_id = ?", deliveryId)).toEqual([
			{ response_body: hostile },
		]);
	});

	it("sends the endpoint's custom headers, which cannot override the webhook headers", async () => {
		const destination = stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		// Every header Hivepost sets, spoofed (stored lower-case, as the store keeps names), beside the receiver's own.
		const spoofed = {
			"content-type": "text/plain",
			"user-agent": "Spoofer/1.0",
			"webhook-id": "msg_spoofed",
			"webhook-timestamp": "1",
			"webhook-signature": "v1,Zm9yZ2Vk",
		};
		await env.DB.prepare("UPDATE endpoints SET headers = ? WHERE id = ?")
			.bind(JSON.stringify({ authorization: "Bearer receiver-secret", ...spoofed }), endpoint.id)
			.run();
		const sentAt = Math.floor(Date.now() / 1000);
		const { response } = await ingest(fixture("ticket.created"));
		const { event_id } = (await response.json()) as { event_id: string };
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((d) => d.id));
		const [sent] = destination.requests;
		const headers = Object.fromEntries(sent.headers);
		expect(headers).toMatchObject({
			authorization: "Bearer receiver-secret",
			"content-type": "application/json",
			"user-agent": USER_AGENT,
		});
		expect(headers["webhook-id"]).toBe(event_id);
		expect(Number(headers["webhook-timestamp"])).toBeGreaterThanOrEqual(sentAt);
		expect(headers["webhook-signature"]).not.toContain(spoofed["webhook-signature"]);
		expect(new Webhook(endpoint.secret).verify(sent.body, headers)).toEqual(JSON.parse(sent.body));
	});
});

describe("signing-secret rotation", () => {
	it("signs with the new and the old secret for 24 hours, each verifying with standardwebhooks", async () => {
		const destination = stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const rotated = newSigningSecret();
		await env.DB.prepare("UPDATE endpoints SET secret = ?, previous_secrets = ? WHERE id = ?")
			.bind(rotated, JSON.stringify([{ secret: endpoint.secret, expires_at: Date.now() + 24 * 3600 * 1000 }]), endpoint.id)
			.run();
		await ingest(fixture("ticket.created"));
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((d) => d.id));
		const [sent] = destination.requests;
		const headers = Object.fromEntries(sent.headers);
		expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
		expect(new Webhook(rotated).verify(sent.body, headers)).toEqual(JSON.parse(sent.body));
		expect(new Webhook(endpoint.secret).verify(sent.body, headers)).toEqual(JSON.parse(sent.body));
	});

	it("drops the old signature once the 24 hours are over", async () => {
		const destination = stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const rotated = newSigningSecret();
		await env.DB.prepare("UPDATE endpoints SET secret = ?, previous_secrets = ? WHERE id = ?")
			.bind(rotated, JSON.stringify([{ secret: endpoint.secret, expires_at: Date.now() - 1 }]), endpoint.id)
			.run();
		await ingest(fixture("ticket.created"));
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((d) => d.id));
		const headers = Object.fromEntries(destination.requests[0].headers);
		expect(headers["webhook-signature"].split(" ")).toHaveLength(1);
		expect(() => new Webhook(endpoint.secret).verify(destination.requests[0].body, headers)).toThrow();
		expect(new Webhook(rotated).verify(destination.requests[0].body, headers)).toEqual(JSON.parse(destination.requests[0].body));
	});
});

describe("the retry alarm after a Retry-After", () => {
	it("is armed at the postponed time, and an early run makes no attempt", async () => {
		const destination = stubDestination(
			() => new Response(null, { status: 429, headers: { "retry-after": String((intervalMs / 1000) * 2) } }),
		);
		const { deliveryId } = await deliverOnce();
		expect(await alarmTime(deliveryId)).toBe(await nextAttemptAt(deliveryId));
		// Fired early (long before the postponed time): it hands nothing over and re-arms for the due time.
		const early = await runRetryAlarm(deliveryId);
		expect(early.ran).toBe(true);
		expect(early.queue.messages).toEqual([]);
		expect(destination.requests).toHaveLength(1);
		expect(await alarmTime(deliveryId)).toBe(await nextAttemptAt(deliveryId));
	});
});
