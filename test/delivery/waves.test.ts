/**
 * A batch goes out in waves, and each wave reads its endpoints again right
 * before it is sent (claimed while the wave ahead of it is in flight): a
 * change made while the batch runs reaches it within one wave. A delivery
 * whose endpoint was deleted or disabled meanwhile is cancelled, one whose
 * endpoint answered 410 earlier in the batch is not sent, one whose URL
 * changed goes to the new URL; none of these uses up an attempt or writes an
 * attempt row. And a clock that runs ahead (the sender's) or behind (ours)
 * never strands a delivery. A claim's read carries each event's text once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config";
import { accountDatabase } from "../../src/db/client";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { claimWave, waveRows } from "../../src/delivery/claim";
import { IN_FLIGHT_PER_ENDPOINT, LANES_PER_INVOCATION } from "../../src/delivery/isolation";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { newId } from "../../src/lib/ids";
import { createEndpoint, deliveryRow, fixture, ingest, rows, runConsumer, sleep, stubDestination } from "../helpers/worker";

/** Ten deliveries to one endpoint (four waves of at most three), and their messages. */
const WAVE = IN_FLIGHT_PER_ENDPOINT;
async function tenDeliveries(url = "https://receiver.example/hook") {
	const endpoint = await createEndpoint(url);
	const messages = [];
	for (let i = 0; i < 10; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
	return { endpoint, messages };
}

async function statuses() {
	return (await rows<{ status: string; n: number }>("SELECT status, count(*) AS n FROM deliveries GROUP BY status ORDER BY status")).map(
		(row) => [row.status, row.n],
	);
}

describe("waves re-read their endpoints", () => {
	it("sends the later waves to a URL changed while the batch runs", async () => {
		const { endpoint, messages } = await tenDeliveries("https://old.example/hook");
		const destination = stubDestination(async (_request, index) => {
			if (index === 0) await env.DB.prepare("UPDATE endpoints SET url = 'https://new.example/hook' WHERE id = ?").bind(endpoint.id).run();
			return new Response("ok");
		});
		await runConsumer(messages);
		const hosts = destination.requests.map((request) => new URL(request.url).host);
		// The wave in flight when the URL changed, and at most the one claimed alongside it, go to the old URL; every later one to the new.
		const old = hosts.filter((host) => host === "old.example").length;
		expect(old).toBeGreaterThanOrEqual(WAVE);
		expect(old).toBeLessThanOrEqual(2 * WAVE);
		expect(hosts.slice(old)).toEqual(Array(10 - old).fill("new.example"));
		expect(await statuses()).toEqual([["delivered", 10]]);
	});

	for (const change of ["deleted", "disabled"] as const) {
		it(`cancels, without an attempt, what is left of a batch whose endpoint was ${change} meanwhile`, async () => {
			const { endpoint, messages } = await tenDeliveries();
			const destination = stubDestination(async (_request, index) => {
				if (index === 0) {
					const set = change === "deleted" ? "deleted_at = 1" : "enabled = 0";
					await env.DB.prepare(`UPDATE endpoints SET ${set} WHERE id = ?`).bind(endpoint.id).run();
				}
				return new Response("ok");
			});
			const result = await runConsumer(messages);
			// At most one more wave went out after the change; the rest were cancelled unsent.
			const sent = destination.requests.length;
			expect(sent).toBeGreaterThanOrEqual(WAVE);
			expect(sent).toBeLessThanOrEqual(2 * WAVE);
			expect(await statuses()).toEqual([
				["cancelled", 10 - sent],
				["delivered", sent],
			]);
			expect(await rows("SELECT count(*) AS n FROM delivery_attempts")).toEqual([{ n: sent }]);
			expect(await rows("SELECT max(attempt_count) AS n FROM deliveries WHERE status = 'cancelled'")).toEqual([{ n: 0 }]);
			expect(result.explicitAcks).toHaveLength(10);
		});
	}

	it("sends nothing more to an endpoint that answered 410 earlier in the batch", async () => {
		const { messages } = await tenDeliveries();
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 410 : 200 }));
		await runConsumer(messages);
		// The first wave was already on its way; nothing after it (the wave claimed behind it is handed back unsent).
		expect(destination.requests).toHaveLength(WAVE);
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);
		expect(await statuses()).toEqual([
			["cancelled", 10 - WAVE],
			["delivered", WAVE - 1],
			["failed", 1],
		]);
		expect(await rows("SELECT count(*) AS n FROM delivery_attempts")).toEqual([{ n: WAVE }]);
		expect(await rows("SELECT max(attempt_count) AS n FROM deliveries WHERE status = 'cancelled'")).toEqual([{ n: 0 }]);
	});
});

describe("how far ahead waves claim", () => {
	/**
	 * Sends `count` deliveries to one endpoint answering after `answerMs`; at each request, counts the deliveries
	 * claimed by the batch and not yet sent (one endpoint: a request's webhook-id names its delivery's event).
	 */
	async function claimedAheadWhileSending(count: number, answerMs: number) {
		await createEndpoint("https://receiver.example/hook");
		const messages = [];
		for (let i = 0; i < count; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
		const sent = new Set<string>();
		let most = 0;
		const destination = stubDestination(async (request) => {
			sent.add(request.headers.get("webhook-id") as string);
			const claimed = await rows<{ event_id: string }>(
				"SELECT event_id FROM deliveries WHERE claim_id IS NOT NULL AND status IN ('new', 'pending')",
			);
			most = Math.max(most, claimed.filter((row) => !sent.has(row.event_id)).length);
			if (answerMs) await sleep(answerMs);
			return new Response("ok");
		});
		// A 5 s timeout: a 300 ms answer stays under the slow threshold (1 s), so the endpoint keeps its lane. The bulk
		// lane's: a main-lane batch would leave what it has not started within MAIN_BATCH_BUDGET_MS to it.
		await runConsumer(messages, { lane: "bulk", env: { DELIVERY_TIMEOUT_MS: "5000" } });
		expect(destination.requests).toHaveLength(count);
		expect(await statuses()).toEqual([["delivered", count]]);
		return most;
	}

	it("claims several waves ahead while the endpoint answers fast (fewer D1 round trips)", async () => {
		expect(await claimedAheadWhileSending(40, 0)).toBeGreaterThan(2 * LANES_PER_INVOCATION);
	});

	it("claims one wave ahead while its sends take longer than a claim may wait (300 ms)", async () => {
		expect(await claimedAheadWhileSending(12, 300)).toBeLessThanOrEqual(2 * IN_FLIGHT_PER_ENDPOINT);
	});
});

describe("clocks", () => {
	it("sends a first attempt whose due time is ahead of our clock at once (the sender's clock runs ahead)", async () => {
		const destination = stubDestination(() => new Response("ok"));
		const { messages } = await tenDeliveries();
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?")
			.bind(Date.now() + 5000)
			.run();
		await runConsumer(messages.slice(0, 1));
		expect(destination.requests).toHaveLength(1);
		expect((await deliveryRow(messages[0].deliveryId)).status).toBe("delivered");
	});

	it("sends a retry that arrives a little before its due time again when it is due, instead of dropping it", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		await createEndpoint("https://receiver.example/hook");
		const [message] = (await ingest(fixture("ticket.created"))).queue.messages;
		await runConsumer([message]);
		// Handed over by an alarm whose clock runs 2 s ahead of this consumer's.
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?")
			.bind(Date.now() + 2000)
			.run();
		const result = await runConsumer([message], { lane: "isolation" });
		expect(destination.requests).toHaveLength(1);
		expect(result.explicitAcks).toEqual(["msg-0"]);
		expect(result.queue.sent).toEqual([{ lane: "isolation", message, delaySeconds: expect.any(Number) }]);
		expect(result.queue.sent[0].delaySeconds).toBeGreaterThanOrEqual(2);
		expect(result.queue.sent[0].delaySeconds).toBeLessThanOrEqual(3);
		expect((await deliveryRow(message.deliveryId)).attempt_count).toBe(1);
	});
});

describe("event texts in a claim's read", () => {
	/** One wave claiming `messages`, as dispatch claims it: `bodies` holds the texts the batch has read. */
	async function claim(messages: DeliveryMessage[], bodies: Map<string, Promise<string>>) {
		const db = accountDatabase(env, { id: DEFAULT_ACCOUNT_ID, database: "DB" });
		const wave = claimWave(db, readSettings(env), "main", messages, newId("clm"), Date.now(), [...bodies.keys()]);
		const [, , read] = await db.batch(wave);
		const rows = await waveRows(read, bodies);
		return { carryingText: read.filter((row) => row.body !== null || row.bodyDeflated !== null).length, rows };
	}

	it("come once per event, and not again for events the batch has read, yet every claimed delivery gets its text", async () => {
		for (let i = 0; i < 3; i++) await createEndpoint(`https://receiver.example/${i}`);
		const created = (await ingest(fixture("ticket.created"))).queue.messages;
		const archived = (await ingest(fixture("ticket.archived"))).queue.messages;
		const bodies = new Map<string, Promise<string>>();
		const first = await claim([created[0], created[1], archived[0]], bodies);
		expect(first.carryingText).toBe(2);
		const second = await claim([created[2], archived[1], archived[2]], bodies);
		expect(second.carryingText).toBe(0);
		const textOf = new Map([
			...created.map((message) => [message.deliveryId, fixture("ticket.created")] as const),
			...archived.map((message) => [message.deliveryId, fixture("ticket.archived")] as const),
		]);
		const claimed = [...first.rows, ...second.rows];
		expect(claimed).toHaveLength(6);
		for (const row of claimed) expect(row.target?.body).toBe(textOf.get(row.deliveryId));
	});
});

describe("a wave's claim of an isolated endpoint's delivery", () => {
	it("is taken in the isolation lane only: the main and bulk lanes leave it unclaimed, and read back its isolation", async () => {
		await createEndpoint("https://slow.example/hook");
		const [message] = (await ingest(fixture("ticket.created"))).queue.messages;
		const isolatedUntil = Date.now() + 60_000;
		await env.DB.prepare("UPDATE endpoints SET isolated_until = ?").bind(isolatedUntil).run();
		const db = accountDatabase(env, { id: DEFAULT_ACCOUNT_ID, database: "DB" });
		for (const lane of ["main", "bulk", "isolation"] as const) {
			const [, claimed, read] = await db.batch(claimWave(db, readSettings(env), lane, [message], newId("clm"), Date.now()));
			const [row] = await waveRows(read, new Map());
			expect({ lane, claimed: claimed.meta.changes > 0, isolatedUntil: row?.isolatedUntil }).toEqual({
				lane,
				claimed: lane === "isolation",
				isolatedUntil,
			});
		}
		expect((await deliveryRow(message.deliveryId)).attempt_count).toBe(1);
	});
});
