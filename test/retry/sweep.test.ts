import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { readSettings } from "../../src/config";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { fairBudget, LANE_SHARE } from "../../src/delivery/fairShare";
import { NEW_FOR_MS, NEW_WINDOW_MS, queueHoldMs } from "../../src/delivery/stateChanges";
import { idFloor } from "../../src/lib/ids";
import { HOUR_MS, MINUTE_MS } from "../../src/lib/time";
import { SWEEP_BATCH_LIMIT, sweep } from "../../src/retry/sweep";
import {
	clearDurableObjects,
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	pacerOfAccount,
	recordingQueues,
	rows,
	runConsumer,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const settings = readSettings(env);
const strandedAfterMs = settings.strandedAfterMs;

function sweepAt(now: number) {
	const queue = recordingQueues();
	return sweep(testEnv(queue), now).then((report) => ({ report, queue }));
}

/** One event for one endpoint, isolated right now: its delivery is held for the isolation lane from the start. */
async function ingestForIsolatedEndpoint() {
	await createEndpoint("https://slow.example/hook");
	await env.DB.prepare("UPDATE endpoints SET isolated_until = ?, isolation = 'slow'")
		.bind(Date.now() + 60_000)
		.run();
	return ingest(fixture("ticket.created"));
}

describe("the sweep", () => {
	it("re-enqueues a delivery whose queue message was lost, once it is older than STRANDED_AFTER_SECONDS", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		const [message] = lost.messages;

		const early = await sweepAt(Date.now());
		expect(early.queue.messages).toEqual([]);

		const later = await sweepAt(Date.now() + strandedAfterMs + 1);
		expect(later.report).toEqual({ requeued: 1, failed: 0 });
		expect(later.queue.sent).toEqual([{ lane: "main", message, delaySeconds: 0 }]);

		// The re-enqueued message delivers it.
		const destination = stubDestination(() => new Response("ok"));
		await runConsumer(later.queue.messages);
		expect(destination.requests).toHaveLength(1);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "delivered" }]);
	});

	it("re-enqueues each stranded delivery once per stranding, not every minute during a backlog", async () => {
		await createEndpoint("https://receiver.example/hook");
		await ingest(fixture("ticket.created"));
		const t0 = Date.now() + strandedAfterMs + 1;
		expect((await sweepAt(t0)).report.requeued).toBe(1);
		// Its message sits in a backlog: the next minutes' sweeps leave it to the queue.
		expect((await sweepAt(t0 + 60_000)).report.requeued).toBe(0);
		expect((await sweepAt(t0 + queueHoldMs(settings) - 1)).report.requeued).toBe(0);
		// Not taken up within a whole hold: stranded again, re-enqueued again, once.
		expect((await sweepAt(t0 + queueHoldMs(settings) + 1)).report.requeued).toBe(1);
		expect((await sweepAt(t0 + queueHoldMs(settings) + 60_000)).report.requeued).toBe(0);
	});

	it("hands a retry that is overdue (its alarm was never armed) to its pacer, which puts it on the main lane (its endpoint failed at once), and leaves one that is not", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [message] = queue.messages;
		await runConsumer([message]);
		// The alarm was never armed (or was lost).
		await clearDurableObjects();
		const { next_attempt_at } = await deliveryRow(message.deliveryId);

		expect((await sweepAt((next_attempt_at as number) + 1)).queue.messages).toEqual([]);
		expect((await sweepAt((next_attempt_at as number) + strandedAfterMs + 1)).queue.sent).toEqual([
			{ lane: "main", message, delaySeconds: 0 },
		]);
	});

	it("takes up a delivery whose attempt was cut off by a crash once its lease has passed, counting that attempt, and only once", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [message] = queue.messages;
		// A claim whose attempt never recorded anything: the Worker died mid-flight.
		const leaseEnd = Date.now() + strandedAfterMs + 10_000;
		await env.DB.prepare("UPDATE deliveries SET attempt_count = 1, claim_id = 'clm_dead', lease_until = ?").bind(leaseEnd).run();
		// Overdue, but its lease says an attempt may still be running.
		expect((await sweepAt(leaseEnd - 1)).queue.messages).toEqual([]);
		const t0 = leaseEnd + 1;
		expect((await sweepAt(t0)).queue.sent).toEqual([{ lane: "main", message, delaySeconds: 0 }]);
		// Held for the lane, the dead claim cleared; the crashed attempt still counts.
		expect(await deliveryRow(message.deliveryId)).toMatchObject({
			attempt_count: 1,
			claim_id: null,
			lease_until: t0 + queueHoldMs(settings),
		});
		// The lane is behind: its message still waits there, and the next minute's sweep leaves it be.
		expect((await sweepAt(t0 + 60_000)).queue.messages).toEqual([]);
	});

	/** `count` pending deliveries to `endpointId`, made at `now` (ids and event as Hivepost makes them), an hour overdue (a lost burst). */
	async function strand(count: number, endpointId: string, now: number) {
		await env.DB.prepare(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT 'acc_default', ? || printf('%016x', i), ?, ?, 'pending', 0, ? + i, ?, ? FROM n`,
		)
			.bind(count, idFloor("dlv", now), `${idFloor("evt", now)}${"0".repeat(16)}`, endpointId, now - 3_600_000, now, now)
			.run();
	}

	it(`takes the longest overdue first when more than ${SWEEP_BATCH_LIMIT} deliveries are stranded`, async () => {
		const endpointIds = [(await createEndpoint("https://a.example/hook")).id, (await createEndpoint("https://b.example/hook")).id].sort();
		const now = Date.now();
		// SWEEP_BATCH_LIMIT deliveries to the first endpoint, and the longest overdue one to the second.
		await strand(SWEEP_BATCH_LIMIT, endpointIds[0], now);
		const oldest = `${idFloor("dlv", now)}${"f".repeat(16)}`;
		await env.DB.prepare(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
			VALUES ('acc_default', ?, ?, ?, 'pending', 0, ?, ?, ?)`,
		)
			.bind(oldest, `${idFloor("evt", now)}${"0".repeat(16)}`, endpointIds[1], now - 7_200_000, now, now)
			.run();
		const { report, queue } = await sweepAt(now);
		expect(report.requeued).toBe(SWEEP_BATCH_LIMIT);
		expect(queue.messages.map((message) => message.deliveryId)).toContain(oldest);
	});

	it("brings a stranded burst back through its account's pacer: its fair budget on the main lane, the rest on the bulk lane within its share, the excess parked", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const now = Date.now();
		await strand(SWEEP_BATCH_LIMIT, endpoint.id, now);
		const { report, queue } = await sweepAt(now);
		expect(report.requeued).toBe(SWEEP_BATCH_LIMIT);
		expect(queue.on("main")).toHaveLength(fairBudget(settings));
		expect(queue.on("bulk")).toHaveLength(LANE_SHARE.bulk);
		const parked = SWEEP_BATCH_LIMIT - fairBudget(settings) - LANE_SHARE.bulk;
		expect(await pacerOfAccount(DEFAULT_ACCOUNT_ID, recordingQueues()).status()).toEqual({ bursting: true, parked });
		// Every one of them is held for its lane, parked ones included: the next sweep leaves them be.
		expect((await sweepAt(now + 60_000)).report.requeued).toBe(0);
	});

	it("leaves a delivery held in a queue (isolated endpoint) alone until its hold ends", async () => {
		const { queue } = await ingestForIsolatedEndpoint();
		expect(queue.sent.map((entry) => entry.lane)).toEqual(["isolation"]);
		const { lease_until } = await deliveryRow(queue.messages[0].deliveryId);
		expect(lease_until).toBeGreaterThan(Date.now() + strandedAfterMs);
		expect((await sweepAt(Date.now() + strandedAfterMs + 1)).report.requeued).toBe(0);
		expect((await sweepAt((lease_until as number) + 1)).report.requeued).toBe(1);
	});

	it("marks failed a delivery whose last attempt was cut off, instead of a fifth attempt", async () => {
		await createEndpoint("https://receiver.example/hook");
		await ingest(fixture("ticket.created"));
		await env.DB.prepare(
			"UPDATE deliveries SET status = 'retrying', attempt_count = 4, claim_id = 'clm_dead', lease_until = ?, next_attempt_at = ?",
		)
			.bind(Date.now(), Date.now())
			.run();
		const { report, queue } = await sweepAt(Date.now() + strandedAfterMs + 1);
		expect(report).toEqual({ requeued: 0, failed: 1 });
		expect(queue.messages).toEqual([]);
		expect(await rows("SELECT status, next_attempt_at, claim_id, lease_until FROM deliveries")).toEqual([
			{ status: "failed", next_attempt_at: null, claim_id: null, lease_until: null },
		]);
	});

	it("recovers a first attempt whose Worker stopped mid-attempt once its claim's lease has passed, that attempt counted", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		const [message] = lost.messages;
		expect((await deliveryRow(message.deliveryId)).status).toBe("new");
		await env.DB.prepare("UPDATE deliveries SET attempt_count = 1, claim_id = 'clm_dead', lease_until = ?")
			.bind(Date.now() + strandedAfterMs + 60_000)
			.run();
		expect((await sweepAt(Date.now() + strandedAfterMs + 1)).report.requeued).toBe(0);
		const { report, queue } = await sweepAt(Date.now() + strandedAfterMs + 60_001);
		expect(report).toEqual({ requeued: 1, failed: 0 });
		expect(queue.messages).toEqual([message]);
		expect(await deliveryRow(message.deliveryId)).toMatchObject({ attempt_count: 1, claim_id: null });
	});

	it("files a first attempt held past NEW_FOR_MS as pending, so it is recovered when its hold ends, however long after that is", async () => {
		const { queue } = await ingestForIsolatedEndpoint();
		const [message] = queue.messages;
		const { lease_until } = await deliveryRow(message.deliveryId);
		expect((await sweepAt(Date.now() + NEW_FOR_MS - 1000)).report.requeued).toBe(0);
		expect((await deliveryRow(message.deliveryId)).status).toBe("new");
		// Held: filed, not handed over again.
		expect((await sweepAt(Date.now() + NEW_FOR_MS + 1000)).report.requeued).toBe(0);
		expect((await deliveryRow(message.deliveryId)).status).toBe("pending");
		// Its hold ends while no sweep runs for longer than the window `new` deliveries are looked for in: deliveries_unfinished has it.
		const { report, queue: again } = await sweepAt((lease_until as number) + NEW_WINDOW_MS);
		expect(report).toEqual({ requeued: 1, failed: 0 });
		expect(again.messages).toEqual([message]);
	});

	it("recovers a first attempt no sweep filed for hours (the cron stopped): the first sweep of an hour looks back a day", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		const [message] = lost.messages;
		const hours = (n: number) => (Math.floor(Date.now() / HOUR_MS) + n) * HOUR_MS;
		// Five hours later, past the window new deliveries are looked for in: out of sight but for the hour's first sweep.
		expect((await sweepAt(hours(5) + 30 * MINUTE_MS)).report.requeued).toBe(0);
		const { report, queue } = await sweepAt(hours(6) + 1000);
		expect(report).toEqual({ requeued: 1, failed: 0 });
		expect(queue.messages).toEqual([message]);
		expect((await deliveryRow(message.deliveryId)).status).toBe("pending");
	});

	it("runs from the Worker's scheduled handler", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?")
			.bind(Date.now() - strandedAfterMs - 1)
			.run();
		const queue = recordingQueues();
		await worker.scheduled(createScheduledController({ cron: "* * * * *" }), testEnv(queue));
		expect(queue.messages).toEqual(lost.messages);
	});
});
