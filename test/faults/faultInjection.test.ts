/**
 * Fault injection: D1 writes that fail (SQLite triggers that abort), a queue
 * that throws, a Durable Object that cannot be reached, settings that change
 * under an armed retry. Whatever breaks, an accepted event is delivered or
 * ends failed/cancelled: never lost, never a fifth automatic attempt.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/config";
import { STATUS_CODES } from "../../src/db/columns";
import { IN_FLIGHT_PER_ENDPOINT, slowAfterMs } from "../../src/delivery/isolation";
import { claimLeaseMs } from "../../src/delivery/stateChanges";
import { sweep } from "../../src/retry/sweep";
import {
	createEndpoint,
	dbBeforeBatch,
	deliveryRow,
	fixture,
	ingest,
	recordingQueues,
	rows,
	runConsumer,
	sleep,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const strandedAfterMs = Number(env.STRANDED_AFTER_SECONDS) * 1000;
const leaseMs = claimLeaseMs(readSettings(env));

async function failWritesTo(table: string) {
	await env.DB.prepare(`CREATE TRIGGER injected_fault BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`).run();
}

/**
 * Makes recording a delivery as delivered fail (a success is recorded on the delivery's row, with no attempts row): in
 * deliveries_v2, where every write of a delivery lands (helpers/deliveriesView.ts).
 */
async function failDelivered() {
	await env.DB.prepare(
		`CREATE TRIGGER injected_fault BEFORE UPDATE OF status ON deliveries_v2 WHEN NEW.status = ${STATUS_CODES.delivered} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
	).run();
}

afterEach(async () => {
	await env.DB.prepare("DROP TRIGGER IF EXISTS injected_fault").run();
});

async function sweepAt(now: number) {
	const queue = recordingQueues();
	const report = await sweep(testEnv(queue), now);
	return { report, ids: queue.messages.map((message) => message.deliveryId), messages: queue.messages };
}

describe("faults during ingest", () => {
	it("a D1 failure while storing the deliveries leaves no event behind and answers 500", async () => {
		await createEndpoint("https://receiver.example/hook");
		// Where every write of a delivery lands (helpers/deliveriesView.ts).
		await failWritesTo("deliveries_v2");
		const { response, queue } = await ingest(fixture("ticket.created"));
		expect(response.status).toBe(500);
		expect(((await response.json()) as { error: string }).error).toMatch(/Internal error/);
		expect(await rows("SELECT id FROM events")).toEqual([]);
		expect(queue.batches).toEqual([]);
	});

	it("a queue that throws after the commit: 202, and the sweep sends the deliveries later", async () => {
		await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const broken = { sendBatch: vi.fn().mockRejectedValue(new Error("queue down")) } as unknown as Queue;
		const { response } = await ingest(fixture("ticket.created"), { env: { DELIVERY_QUEUE: broken } });
		expect(response.status).toBe(202);
		const stored = (await rows<{ id: string }>("SELECT id FROM deliveries ORDER BY id")).map((d) => d.id);
		expect(stored).toHaveLength(2);
		const { ids } = await sweepAt(Date.now() + strandedAfterMs + 1);
		expect(ids.sort()).toEqual(stored);
	});
});

describe("faults during delivery", () => {
	it("the destination got it but recording failed: at most one duplicate with the same webhook-id", async () => {
		const destination = stubDestination(() => new Response("ok"));
		await createEndpoint("https://receiver.example/hook");
		const { queue, response } = await ingest(fixture("ticket.created"));
		const { event_id } = (await response.json()) as { event_id: string };
		const [{ deliveryId }] = queue.messages;

		await failDelivered();
		const result = await runConsumer([deliveryId]);
		expect(result.retryMessages).toEqual([{ msgId: "msg-0" }]);
		expect(destination.requests).toHaveLength(1);
		await env.DB.prepare("DROP TRIGGER injected_fault").run();

		// The queue's redelivery finds the delivery claimed, and does nothing.
		await runConsumer([deliveryId]);
		expect(destination.requests).toHaveLength(1);
		// Once the claim's lease has passed, the sweep takes it up again.
		const { ids, messages } = await sweepAt(Date.now() + leaseMs + strandedAfterMs + 1);
		expect(ids).toEqual([deliveryId]);
		// As the clock would have it by then: the claim's lease and the sweep's hold have both passed.
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0, lease_until = 0").run();
		await runConsumer(messages, { lane: "isolation" });
		expect(destination.requests.map((r) => r.headers.get("webhook-id"))).toEqual([event_id, event_id]);
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "delivered", attempt_count: 2 }]);
	});

	it("a failed D1 round trip hands back the claims of deliveries not yet sent, their attempts restored", async () => {
		// The first answer comes at once, the others a little later: the wave claimed ahead waits for their connections.
		const destination = stubDestination(async (_request, index) => {
			if (index > 0) await sleep(150);
			return new Response("ok");
		});
		await createEndpoint("https://receiver.example/hook");
		const messages = [];
		for (let i = 0; i < 10; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
		let claimedAhead: string[] = [];
		// The third round trip (recording the first answer, claiming more) fails.
		const DB = dbBeforeBatch(async (index) => {
			if (index !== 2) return;
			claimedAhead = (await rows<{ id: string }>("SELECT id FROM deliveries WHERE claim_id IS NOT NULL")).map((row) => row.id);
			throw new Error("D1 unavailable");
		});
		vi.spyOn(console, "error").mockImplementation(() => {});
		const result = await runConsumer(messages, { env: { DB } });
		expect(result.retryMessages).toHaveLength(10);

		const requested = await rows<{ id: string }>(
			"SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))",
			JSON.stringify(destination.requests.map((request) => request.headers.get("webhook-id"))),
		);
		const unsent = claimedAhead.filter((id) => !requested.some((row) => row.id === id));
		expect(unsent.length).toBeGreaterThan(0);
		for (const id of unsent) expect(await deliveryRow(id)).toMatchObject({ status: "new", attempt_count: 0, claim_id: null });
		// A request that went out keeps its attempt (its result was lost with the round trip): the sweep takes it up after its lease.
		for (const { id } of requested) expect(await deliveryRow(id)).toMatchObject({ attempt_count: 1 });
	});

	it("a hand-off whose account pacer cannot be reached: its claim is handed back with its attempt, and no hold keeps the sweep away", async () => {
		await createEndpoint("https://slow.example/hook");
		stubDestination(async () => {
			await sleep(slowAfterMs(readSettings(env)) + 50);
			return new Response("ok");
		});
		const messages = [];
		for (let i = 0; i < IN_FLIGHT_PER_ENDPOINT + 1; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
		// The last delivery's claim comes back after its endpoint turned slow, so it leaves for the isolation lane.
		const DB = dbBeforeBatch((index) => (index === 1 ? sleep(slowAfterMs(readSettings(env)) + 150) : undefined));
		const unreachable = {
			getByName: () => ({ settle: vi.fn().mockRejectedValue(new Error("Durable Object unavailable")) }),
		} as unknown as Env["ACCOUNT_PACER"];
		vi.spyOn(console, "error").mockImplementation(() => {});
		const result = await runConsumer(messages, { env: { DB, ACCOUNT_PACER: unreachable } });
		expect(result.retryMessages).toHaveLength(messages.length);
		const last = messages[messages.length - 1].deliveryId;
		expect(await deliveryRow(last)).toMatchObject({ status: "new", attempt_count: 0, claim_id: null, lease_until: null });
	});

	it("a last attempt whose result was lost ends failed, with no fifth attempt", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		await env.DB.prepare("UPDATE deliveries SET status = 'retrying', attempt_count = 3").run();
		await failWritesTo("attempts");
		await runConsumer([deliveryId]);
		await env.DB.prepare("DROP TRIGGER injected_fault").run();
		expect(destination.requests).toHaveLength(1);

		const { report, ids } = await sweepAt(Date.now() + leaseMs + strandedAfterMs + 1);
		expect(report).toEqual({ requeued: 0, failed: 1 });
		expect(ids).toEqual([]);
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0").run();
		await runConsumer([deliveryId], { lane: "isolation" });
		expect(destination.requests).toHaveLength(1);
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "failed", attempt_count: 4 }]);
	});

	it("a retry scheduler that cannot be reached: the message is acked and the sweep re-arms the retry", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		const unreachable = {
			getByName: () => ({ schedule: () => Promise.reject(new Error("Durable Object unavailable")) }),
		} as unknown as Env["RETRY_SCHEDULER"];
		vi.spyOn(console, "error").mockImplementation(() => {});
		const result = await runConsumer([deliveryId], { env: { RETRY_SCHEDULER: unreachable } });
		expect(result.explicitAcks).toEqual(["msg-0"]);
		const { next_attempt_at } = await deliveryRow(deliveryId);
		expect((await sweepAt((next_attempt_at as number) + strandedAfterMs + 1)).ids).toEqual([deliveryId]);
	});

	it("a destination that is the Worker itself (PUBLIC_ORIGINS) is refused at send time, where no request exists", async () => {
		const destination = stubDestination(() => new Response("ok"));
		await env.DB.prepare(
			"INSERT INTO endpoints (id, account_id, url, secret, created_at, updated_at) VALUES ('ep_self', 'acc_default', ?, 'whsec_AAAA', 0, 0)",
		)
			.bind(`${env.PUBLIC_ORIGINS}/events`)
			.run();
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages, { env: { ALLOW_PRIVATE_DESTINATIONS: "true" } });
		expect((await deliveryRow(queue.messages[0].deliveryId)).status).toBe("retrying");
		expect(destination.requests).toEqual([]);
		expect(await rows("SELECT error FROM delivery_attempts")).toEqual([{ error: expect.stringMatching(/^refused: .*back at Hivepost/) }]);
	});

	it("a destination that stops being allowed (ALLOW_PRIVATE_DESTINATIONS turned off) is refused at send time", async () => {
		const destination = stubDestination(() => new Response("ok"));
		await env.DB.prepare(
			"INSERT INTO endpoints (id, account_id, url, secret, created_at, updated_at) VALUES ('ep_local', 'acc_default', 'http://127.0.0.1:9000/hook', 'whsec_AAAA', 0, 0)",
		).run();
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		// Saved while private destinations were allowed; the setting is now off.
		await runConsumer(queue.messages, { env: { ALLOW_PRIVATE_DESTINATIONS: "false" } });
		expect((await deliveryRow(deliveryId)).status).toBe("retrying");
		expect(destination.requests).toEqual([]);
		expect(await rows("SELECT error FROM delivery_attempts")).toEqual([
			{ error: expect.stringMatching(/^refused: the destination is a loopback address/) },
		]);
	});
});
