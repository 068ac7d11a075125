/**
 * The RetryScheduler: one Durable Object per failed delivery, whose alarm
 * hands the delivery to its account's pacer when its next attempt is due;
 * the pacer puts it on a lane (an endpoint that failed at once, as here:
 * the main lane). Driven by hand (runRetryAlarm), with the lane's consumer
 * run on what the alarm enqueued.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/config";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { ISOLATION_MS } from "../../src/delivery/isolation";
import { queueHoldMs } from "../../src/delivery/stateChanges";
import { sweep } from "../../src/retry/sweep";
import {
	alarmTime,
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	makeDue,
	operatorHeaders,
	pacerOfAccount,
	recordingQueues,
	request,
	rows,
	runConsumer,
	runRetryAlarm,
	schedulerOf,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const settings = readSettings(env);

/** A delivery whose first attempt (from the queue) failed against the stubbed destination; `overrides` are the settings in force. */
async function failedOnce(overrides: Partial<Env> = {}) {
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const deliveryId = queue.messages[0].deliveryId;
	await runConsumer([deliveryId], { env: overrides });
	return deliveryId;
}

/** The alarm fires (the delivery made due first) and the main lane consumes what it handed over. */
async function retryOnce(id: string, overrides: Partial<Env> = {}) {
	await makeDue(id);
	const { ran, queue } = await runRetryAlarm(id, { env: overrides });
	expect(ran).toBe(true);
	expect(queue.sent.map((entry) => entry.lane)).toEqual(["main"]);
	await runConsumer(queue.messages, { env: overrides });
}

describe("retries driven by the RetryScheduler alarm", () => {
	it("arms the alarm at the delivery's next attempt time after a failed first attempt", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		const row = await deliveryRow(id);
		expect(row).toMatchObject({ status: "retrying", attempt_count: 1 });
		expect(await alarmTime(id)).toBe(row.next_attempt_at);
	});

	// Every stack runs with 3: other settings show the count follows MAX_RETRIES rather than a fixed 4.
	for (const maxRetries of [0, 1, 3, 5]) {
		it(`gives a dead URL exactly 1 + MAX_RETRIES attempts with MAX_RETRIES=${maxRetries}, then marks it failed and clears the object`, async () => {
			const overrides = { MAX_RETRIES: String(maxRetries) };
			const destination = stubDestination(() => new Response(null, { status: 500 }));
			const id = await failedOnce(overrides);
			for (let retry = 1; retry <= maxRetries; retry++) await retryOnce(id, overrides);
			expect(destination.requests).toHaveLength(1 + maxRetries);
			expect(await deliveryRow(id)).toMatchObject({ status: "failed", attempt_count: 1 + maxRetries, next_attempt_at: null });
			const numbers = await rows<{ attempt_number: number }>(
				"SELECT attempt_number FROM delivery_attempts WHERE delivery_id = ? ORDER BY seq",
				id,
			);
			expect(numbers.map((a) => a.attempt_number)).toEqual(Array.from({ length: 1 + maxRetries }, (_, i) => i + 1));
			// The last hand-over left a backstop alarm; it finds nothing left to do and clears the object.
			// Without retries no alarm was ever armed.
			const { ran, queue } = await runRetryAlarm(id, { env: overrides });
			expect(ran).toBe(maxRetries > 0);
			expect(queue.messages).toEqual([]);
			expect(await alarmTime(id)).toBeNull();
			expect((await runRetryAlarm(id, { env: overrides })).ran).toBe(false);
			expect(destination.requests).toHaveLength(1 + maxRetries);
		});
	}

	it("re-arms an interval after each failed retry", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		const before = Date.now();
		await retryOnce(id);
		const row = await deliveryRow(id);
		expect(row.status).toBe("retrying");
		expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + settings.retryIntervalMs);
		expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now() + settings.retryIntervalMs);
		expect(await alarmTime(id)).toBe(row.next_attempt_at);
	});

	it("stops at the first success", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index < 2 ? 500 : 200 }));
		const id = await failedOnce();
		await retryOnce(id);
		await retryOnce(id);
		expect(await deliveryRow(id)).toMatchObject({ status: "delivered", attempt_count: 3, next_attempt_at: null });
		expect(destination.requests).toHaveLength(3);
	});

	it("signs a retry an hour later afresh: a new webhook-timestamp, the same webhook-id, a signature that verifies then", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const id = queue.messages[0].deliveryId;
		await runConsumer([id]);
		const first = Object.fromEntries(destination.requests[0].headers);
		try {
			// The retry interval passes by the clock (Date only: the Worker, the alarm and the verifier all read it).
			vi.useFakeTimers({ toFake: ["Date"] });
			vi.setSystemTime(Date.now() + settings.retryIntervalMs);
			await retryOnce(id);
			const retry = destination.requests[1];
			const headers = Object.fromEntries(retry.headers);
			expect(headers["webhook-id"]).toBe(first["webhook-id"]);
			expect(Number(headers["webhook-timestamp"])).toBeGreaterThanOrEqual(
				Number(first["webhook-timestamp"]) + settings.retryIntervalMs / 1000,
			);
			expect(new Webhook(endpoint.secret).verify(retry.body, headers)).toEqual(JSON.parse(retry.body));
			// The first attempt's headers are an hour old now: a receiver would refuse them.
			expect(() => new Webhook(endpoint.secret).verify(destination.requests[0].body, first)).toThrow(/timestamp too old/i);
		} finally {
			vi.useRealTimers();
		}
	});

	it("re-arms for the due time when it fires a little early, never clearing while attempts remain", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		// workerd may run an alarm a few milliseconds before its time; the margin here only keeps a loaded machine from
		// reaching the due time before the alarm runs.
		const dueAt = Date.now() + 5_000;
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(dueAt, id).run();
		const { ran, queue } = await runRetryAlarm(id);
		expect(ran).toBe(true);
		expect(queue.messages).toEqual([]);
		expect(await alarmTime(id)).toBe(dueAt);
	});

	it("hands over once per run and holds the delivery for the lane; the claim makes one attempt of any number of hand-overs", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await makeDue(id);
		const first = await runRetryAlarm(id);
		const handedAt = Date.now();
		expect(first.queue.messages).toHaveLength(1);
		const { lease_until, claim_id } = await deliveryRow(id);
		expect(claim_id).toBeNull();
		expect(lease_until).toBeGreaterThanOrEqual(handedAt + queueHoldMs(settings) - 1000);
		// A backstop: armed again for when the hold ends.
		expect(await alarmTime(id)).toBe(lease_until);
		// The alarm running twice hands over twice; the lane makes one attempt.
		await runInDurableObject(schedulerOf(id), (_instance, state) => state.storage.setAlarm(Date.now()));
		const second = await runRetryAlarm(id);
		expect(second.queue.messages).toEqual(first.queue.messages);
		await runConsumer([...first.queue.messages, ...second.queue.messages]);
		expect(destination.requests).toHaveLength(2);
		expect((await deliveryRow(id)).attempt_count).toBe(2);
	});

	it("hands over a retry whose crashed attempt's lease has passed and holds it, the dead claim cleared: the sweep leaves it to the lane", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		// The second attempt was cut off by a crash: counted, claimed, its lease over, nothing recorded.
		const now = Date.now();
		await env.DB.prepare(
			"UPDATE deliveries SET attempt_count = 2, claim_id = 'clm_dead', lease_until = ?, next_attempt_at = ? WHERE id = ?",
		)
			.bind(now - 1, now - settings.strandedAfterMs - 1000, id)
			.run();
		const { queue } = await runRetryAlarm(id);
		expect(queue.messages.map((message) => message.deliveryId)).toEqual([id]);
		const row = await deliveryRow(id);
		expect(row).toMatchObject({ attempt_count: 2, claim_id: null });
		expect(row.lease_until).toBeGreaterThanOrEqual(now + queueHoldMs(settings));
		const swept = recordingQueues();
		expect(await sweep(testEnv(swept), Date.now() + 60_000)).toEqual({ requeued: 0, failed: 0 });
	});

	it("makes no attempt once the endpoint is deleted: its retries are cancelled", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		const [{ endpoint_id }] = await rows<{ endpoint_id: string }>("SELECT endpoint_id FROM deliveries WHERE id = ?", id);
		const { response } = await request(`/api/endpoints/${endpoint_id}`, { method: "DELETE", headers: operatorHeaders });
		expect(response.status).toBe(204);
		expect(await deliveryRow(id)).toMatchObject({ status: "cancelled", next_attempt_at: null });
		const { ran, queue } = await runRetryAlarm(id);
		expect(ran).toBe(true);
		expect(queue.messages).toEqual([]);
		expect(destination.requests).toHaveLength(1);
		expect(await alarmTime(id)).toBeNull();
	});

	it("stops (and leaves it to the sweep) when a delivery's attempts are used up but it is not marked finished", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		// The fourth attempt was cut off by a crash: counted, its lease has passed, nothing recorded.
		await env.DB.prepare("UPDATE deliveries SET attempt_count = 4, next_attempt_at = ? WHERE id = ?")
			.bind(Date.now() - 1000, id)
			.run();
		const { ran, queue } = await runRetryAlarm(id);
		expect(ran).toBe(true);
		expect(queue.messages).toEqual([]);
		expect(await alarmTime(id)).toBeNull();
	});

	it("hands a retry of an isolated endpoint to the isolation lane", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await env.DB.prepare("UPDATE endpoints SET isolated_until = ?, isolation = 'unresponsive'")
			.bind(Date.now() + ISOLATION_MS)
			.run();
		await makeDue(id);
		const { queue } = await runRetryAlarm(id);
		expect(queue.sent.map((entry) => [entry.lane, entry.message.deliveryId])).toEqual([["isolation", id]]);
	});

	it("hands a retry of an account with bulk work waiting (a bursting account's retry wave) to the bulk lane, behind its backlog", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await pacerOfAccount(DEFAULT_ACCOUNT_ID, recordingQueues()).admit("bulk", [
			{ accountId: DEFAULT_ACCOUNT_ID, deliveryId: "dlv_backlog", endpointId: "ep_backlog" },
		]);
		await makeDue(id);
		const { queue } = await runRetryAlarm(id);
		expect(queue.sent.map((entry) => [entry.lane, entry.message.deliveryId])).toEqual([["bulk", id]]);
	});

	const unreachableD1 = {
		prepare() {
			throw new Error("D1_ERROR: Network connection lost.");
		},
		batch: () => Promise.reject(new Error("D1_ERROR: Network connection lost.")),
	} as unknown as D1Database;
	const failingQueue = {
		send: () => Promise.reject(new Error("Queue send failed")),
		sendBatch: () => Promise.reject(new Error("Queue send failed")),
	};
	const unreachablePacers = {
		getByName: () => ({ handOver: () => Promise.reject(new Error("Durable Object reset because its code was updated.")) }),
	};
	for (const [what, broken] of [
		["D1", { DB: unreachableD1 }],
		["the lane's queue", { DELIVERY_QUEUE: failingQueue as unknown as Queue }],
		["the account's pacer", { ACCOUNT_PACER: unreachablePacers as unknown as Env["ACCOUNT_PACER"] }],
	] as const) {
		it(`backs off when ${what} fails: re-armed a minute later, with no attempt made, then hands over once`, async () => {
			const destination = stubDestination(() => new Response(null, { status: 500 }));
			const id = await failedOnce();
			await makeDue(id);
			const before = await deliveryRow(id);
			const logged = vi.spyOn(console, "error").mockImplementation(() => {});
			const firedAt = Date.now();
			const failed = await runRetryAlarm(id, { env: broken });
			expect(failed.ran).toBe(true);
			expect(failed.queue.messages).toEqual([]);
			const rearmedAt = await alarmTime(id);
			expect(rearmedAt).toBeGreaterThanOrEqual(firedAt + 60_000);
			expect(rearmedAt).toBeLessThanOrEqual(Date.now() + 60_000);
			expect(await deliveryRow(id)).toEqual(before);
			expect(destination.requests).toHaveLength(1);
			expect(JSON.parse(String(logged.mock.calls[0][0]))).toMatchObject({ event: "retry_alarm_failed", delivery_id: id });
			// A minute later D1 and the queue are back: one hand-over, one attempt.
			const { queue } = await runRetryAlarm(id);
			expect(queue.messages).toHaveLength(1);
			await runConsumer(queue.messages);
			expect(destination.requests).toHaveLength(2);
			expect((await deliveryRow(id)).attempt_count).toBe(2);
		});
	}

	it("still fires an alarm armed before accounts existed (its storage holds only the delivery id)", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await makeDue(id);
		// The old naming: one object per delivery id, its storage { deliveryId }.
		const legacy = env.RETRY_SCHEDULER.getByName(id);
		await runInDurableObject(legacy, async (_instance, state) => {
			await state.storage.put("deliveryId", id);
			await state.storage.setAlarm(Date.now());
		});
		const queue = recordingQueues();
		await runInDurableObject(legacy, async (instance, state) => {
			await state.storage.deleteAlarm();
			const scheduler = instance as unknown as { env: Env; alarm(): Promise<void> };
			const real = scheduler.env;
			scheduler.env = testEnv(queue);
			await scheduler.alarm().finally(() => {
				scheduler.env = real;
			});
		});
		const sent = queue.messages;
		expect(sent).toEqual([{ accountId: DEFAULT_ACCOUNT_ID, deliveryId: id, endpointId: expect.any(String) }]);
		expect(destination.requests).toHaveLength(1);
	});
});
