import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, createEndpoint, fixture, ingest, request, rows, runConsumer, stubDestination } from "../helpers";

function schedulerOf(deliveryId: string) {
	return env.RETRY_SCHEDULER.get(env.RETRY_SCHEDULER.idFromName(deliveryId));
}

async function delivery(id: string) {
	const [row] = await rows<{ status: string; attempt_count: number; next_attempt_at: number | null }>(
		"SELECT status, attempt_count, next_attempt_at FROM deliveries WHERE id = ?",
		id,
	);
	return row;
}

/** Lets the retry interval pass for a delivery, as the clock would. */
async function makeDue(id: string) {
	await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
		.bind(Date.now() - 1, id)
		.run();
}

async function alarmTime(id: string) {
	return runInDurableObject(schedulerOf(id), (_instance, state) => state.storage.getAlarm());
}

/** A delivery whose first attempt (from the queue) failed against the stubbed destination. */
async function failedOnce() {
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const deliveryId = queue.messages[0].deliveryId;
	await runConsumer([deliveryId]);
	return deliveryId;
}

describe("retries driven by the RetryScheduler alarm", () => {
	it("arms the alarm at the delivery's next attempt time after a failed first attempt", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		const row = await delivery(id);
		expect(row).toMatchObject({ status: "retrying", attempt_count: 1 });
		expect(await alarmTime(id)).toBe(row.next_attempt_at);
	});

	it("gives a dead URL exactly 1 + MAX_RETRIES attempts, then marks it failed and clears the object", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		for (let retry = 1; retry <= Number(env.MAX_RETRIES); retry++) {
			await makeDue(id);
			expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(true);
		}
		expect(destination.requests).toHaveLength(4);
		expect(await delivery(id)).toMatchObject({ status: "failed", attempt_count: 4, next_attempt_at: null });
		const numbers = await rows<{ attempt_number: number }>("SELECT attempt_number FROM attempts WHERE delivery_id = ? ORDER BY id", id);
		expect(numbers.map((a) => a.attempt_number)).toEqual([1, 2, 3, 4]);
		expect(await alarmTime(id)).toBeNull();
		expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(false);
		expect(destination.requests).toHaveLength(4);
	});

	it("re-arms an hour after each failed retry", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await makeDue(id);
		const before = Date.now();
		await runDurableObjectAlarm(schedulerOf(id));
		const row = await delivery(id);
		expect(row.status).toBe("retrying");
		expect(row.next_attempt_at).toBeGreaterThanOrEqual(before + Number(env.RETRY_INTERVAL_SECONDS) * 1000);
		expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now() + Number(env.RETRY_INTERVAL_SECONDS) * 1000);
		expect(await alarmTime(id)).toBe(row.next_attempt_at);
	});

	it("stops at the first success", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index < 2 ? 503 : 200 }));
		const id = await failedOnce();
		await makeDue(id);
		await runDurableObjectAlarm(schedulerOf(id));
		await makeDue(id);
		await runDurableObjectAlarm(schedulerOf(id));
		expect(await delivery(id)).toMatchObject({ status: "delivered", attempt_count: 3, next_attempt_at: null });
		expect(destination.requests).toHaveLength(3);
		expect(await alarmTime(id)).toBeNull();
		expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(false);
	});

	it("makes no extra attempt when the alarm runs twice", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		await makeDue(id);
		await runInDurableObject(schedulerOf(id), (instance) => instance.alarm());
		await runInDurableObject(schedulerOf(id), (instance) => instance.alarm());
		expect(destination.requests).toHaveLength(2);
		const row = await delivery(id);
		expect(row.attempt_count).toBe(2);
		// The second run found nothing due and left the alarm at the real next attempt.
		expect(await alarmTime(id)).toBe(row.next_attempt_at);
	});

	it("makes no attempt once the endpoint is deleted: its retries are cancelled", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		const [{ endpoint_id }] = await rows<{ endpoint_id: string }>("SELECT endpoint_id FROM deliveries WHERE id = ?", id);
		const { response } = await request(`/api/endpoints/${endpoint_id}`, { method: "DELETE", headers: adminHeaders });
		expect(response.status).toBe(204);
		expect(await delivery(id)).toMatchObject({ status: "cancelled", next_attempt_at: null });
		await makeDue(id);
		expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(true);
		expect(destination.requests).toHaveLength(1);
		expect(await alarmTime(id)).toBeNull();
		expect(await rows("SELECT id FROM attempts WHERE delivery_id = ?", id)).toHaveLength(1);
	});

	it("stops (and leaves it to the sweep) when a delivery's attempts are used up but it is not marked finished", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const id = await failedOnce();
		// The fourth attempt was cut off by a crash: counted, its lease has passed, nothing recorded.
		await env.DB.prepare("UPDATE deliveries SET attempt_count = 4, next_attempt_at = ? WHERE id = ?")
			.bind(Date.now() - 1000, id)
			.run();
		expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(true);
		expect(await alarmTime(id)).toBeNull();
		expect(await runDurableObjectAlarm(schedulerOf(id))).toBe(false);
	});
});
