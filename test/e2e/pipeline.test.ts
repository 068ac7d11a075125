/**
 * End to end against the real local stack (wrangler dev: workerd, local D1,
 * Queues and Durable Object alarms) with real HTTP receivers on 127.0.0.1.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { E2E_TOKENS, startTestStack, type TestStack } from "./localStack";

const RETRY_INTERVAL_SECONDS = 1;
let stack: TestStack;

beforeAll(async () => {
	stack = await startTestStack({
		RETRY_INTERVAL_SECONDS: String(RETRY_INTERVAL_SECONDS),
		MAX_RETRIES: "3",
		DELIVERY_TIMEOUT_MS: "5000",
		STRANDED_AFTER_SECONDS: "60",
		ALLOW_PRIVATE_DESTINATIONS: "true",
	});
});

afterAll(async () => {
	await stack?.dispose();
});

async function register(url: string): Promise<{ id: string; secret: string }> {
	const response = await fetch(`${stack.url}/api/endpoints`, {
		method: "POST",
		headers: { authorization: `Bearer ${E2E_TOKENS.ADMIN_TOKEN}`, "content-type": "application/json" },
		body: JSON.stringify({ url }),
	});
	expect(response.status).toBe(201);
	return response.json() as Promise<{ id: string; secret: string }>;
}

async function adminGet<T>(path: string): Promise<T> {
	const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${E2E_TOKENS.ADMIN_TOKEN}` } });
	expect(response.status).toBe(200);
	return response.json() as Promise<T>;
}

async function unregister(id: string) {
	await fetch(`${stack.url}/api/endpoints/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${E2E_TOKENS.ADMIN_TOKEN}` } });
}

async function postEvent(body: string): Promise<{ event_id: string; deliveries: number }> {
	const response = await fetch(`${stack.url}/events`, {
		method: "POST",
		headers: { "x-supportbee-key": E2E_TOKENS.INGEST_TOKEN, "content-type": "application/json" },
		body,
	});
	expect(response.status).toBe(202);
	return response.json() as Promise<{ event_id: string; deliveries: number }>;
}

/** Registers receivers for one test and always unregisters and closes them, even when it fails. */
async function withReceivers(receivers: Receiver[], run: (endpoints: { id: string; secret: string }[]) => Promise<void>) {
	const endpoints = await Promise.all(receivers.map((receiver) => register(`${receiver.url}/hook`)));
	try {
		await run(endpoints);
	} finally {
		await Promise.all(endpoints.map((endpoint) => unregister(endpoint.id)));
		await Promise.all(receivers.map((receiver) => receiver.close()));
	}
}

describe("the local stack", () => {
	it("delivers every posted event to every receiver, signed", async () => {
		const receivers = await Promise.all([startReceiver(), startReceiver()]);
		await withReceivers(receivers, async (endpoints) => {
			const types = ["ticket.created", "agent.reply.created", "ticket.archived"];
			const sent = new Map<string, string>();
			for (const type of types) {
				const body = sampleBody(type);
				const receipt = await postEvent(body);
				expect(receipt.deliveries).toBe(2);
				sent.set(receipt.event_id, body);
			}
			await waitFor(() => receivers.every((r) => r.received.length >= types.length), 15_000, "every delivery");
			receivers.forEach((receiver, i) => {
				const webhook = new Webhook(endpoints[i].secret);
				expect(receiver.received).toHaveLength(types.length);
				for (const request of receiver.received) {
					const id = String(request.headers["webhook-id"]);
					expect(request.body).toBe(sent.get(id));
					expect(webhook.verify(request.body, request.headers as Record<string, string>)).toEqual(JSON.parse(request.body));
				}
			});
		});
	});

	it("retries a receiver that fails three times, one interval apart, and stops at its first success", async () => {
		const receiver = await startReceiver((_webhook, index) => ({ status: index < 3 ? 503 : 200 }));
		await withReceivers([receiver], async ([endpoint]) => {
			const { event_id } = await postEvent(sampleBody("ticket.created"));
			await waitFor(() => receiver.received.length >= 4, 20_000, "four attempts");
			// Long enough for a fifth attempt to show up if there were one.
			await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_SECONDS * 2000));
			expect(receiver.received).toHaveLength(4);
			expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([event_id]));
			// Exact spacing from Hivepost's own record: each attempt starts an interval after the one before.
			const log = await adminGet<{ deliveries: { id: string }[] }>(`/api/deliveries?endpoint_id=${endpoint.id}`);
			const delivery = await adminGet<{ status: string; attempts: { started_at: string }[] }>(`/api/deliveries/${log.deliveries[0].id}`);
			expect(delivery.status).toBe("delivered");
			const starts = delivery.attempts.map((attempt) => Date.parse(attempt.started_at)).sort((a, b) => a - b);
			expect(starts).toHaveLength(4);
			for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(RETRY_INTERVAL_SECONDS * 1000);
			// And as the receiver saw it, with room for a loaded machine.
			const gaps = receiver.received.slice(1).map((r, i) => r.receivedAt - receiver.received[i].receivedAt);
			for (const gap of gaps) {
				expect(gap).toBeGreaterThanOrEqual(RETRY_INTERVAL_SECONDS * 1000 - 250);
				expect(gap).toBeLessThan(RETRY_INTERVAL_SECONDS * 1000 + 3000);
			}
		});
	});
});
