/** Shared test helpers: requests with credentials, a recording queue, fixtures, a stubbed destination. */
import { createExecutionContext, createMessageBatch, getQueueResult, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { app } from "../src/app";
import type { DeliveryMessage } from "../src/delivery/queue";
import { isEventType } from "../src/events";
import worker from "../src/index";
import { sampleEvent } from "../src/samples";

/** The exact text of a SupportBee sample event, e.g. fixture("ticket.created"). */
export function fixture(actionType: string): string {
	if (!isEventType(actionType)) throw new Error(`no fixture for ${actionType}`);
	return sampleEvent(actionType);
}

/** A queue binding that records what was sent instead of delivering it. */
export function recordingQueue() {
	const batches: MessageSendRequest<DeliveryMessage>[][] = [];
	const queue = {
		batches,
		get messages() {
			return batches.flat().map((message) => message.body);
		},
		async send(body: DeliveryMessage) {
			batches.push([{ body }]);
		},
		async sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>) {
			batches.push([...messages]);
		},
	};
	return queue;
}

export type RecordingQueue = ReturnType<typeof recordingQueue>;

/** Calls the Worker's HTTP app with the test env, optionally overriding bindings (a recording queue by default). */
export function request(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}) {
	const queue = recordingQueue();
	const testEnv = { ...env, DELIVERY_QUEUE: queue as unknown as Queue, ...overrides };
	return Promise.resolve(app.request(path, init, testEnv, createExecutionContext())).then((response) => ({ response, queue }));
}

export const ingestHeaders = { authorization: `Bearer ${env.INGEST_TOKEN}`, "content-type": "application/json" };
export const adminHeaders = { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" };

export async function ingest(body: string, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) {
	return request("/events", { method: "POST", body, headers: { ...ingestHeaders, ...headers } }, overrides);
}

export async function createEndpoint(url: string, events?: string[]): Promise<{ id: string; secret: string; url: string }> {
	const { response } = await request("/api/endpoints", { method: "POST", headers: adminHeaders, body: JSON.stringify({ url, events }) });
	if (response.status !== 201) throw new Error(`creating ${url} failed: ${response.status} ${await response.text()}`);
	return response.json();
}

/** Runs the real queue handler on messages for these deliveries and returns which were acked. */
export async function runConsumer(deliveryIds: string[]) {
	const batch = createMessageBatch<DeliveryMessage>(
		"hivepost-deliveries",
		deliveryIds.map((deliveryId, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body: { deliveryId } })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, env);
	return getQueueResult(batch, ctx);
}

export interface CapturedRequest {
	url: string;
	headers: Headers;
	body: string;
}

/**
 * Replaces global fetch with a destination that answers with `respond` (called
 * per request) and records every request made to it.
 */
export function stubDestination(respond: (request: CapturedRequest, index: number) => Response | Promise<Response>) {
	const requests: CapturedRequest[] = [];
	const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const req = new Request(input, init);
		const captured = { url: req.url, headers: req.headers, body: await req.text() };
		requests.push(captured);
		return respond(captured, requests.length - 1);
	});
	return { requests, spy };
}

export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
	const result = await env.DB.prepare(sql)
		.bind(...params)
		.all<T>();
	return result.results;
}

/** Deletes every RetryScheduler's alarm and storage, so the next test starts clean. */
export async function clearRetryAlarms() {
	for (const id of await listDurableObjectIds(env.RETRY_SCHEDULER)) {
		await runInDurableObject(env.RETRY_SCHEDULER.get(id), async (_instance, state) => {
			await state.storage.deleteAlarm();
			await state.storage.deleteAll();
		});
	}
}
