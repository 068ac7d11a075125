import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sweep } from "../../src/retry/sweep";
import { clearRetryAlarms, createEndpoint, fixture, ingest, recordingQueue, rows, runConsumer, stubDestination } from "../helpers";

const strandedAfterMs = Number(env.STRANDED_AFTER_SECONDS) * 1000;

function sweepWith(now: number) {
	const queue = recordingQueue();
	return sweep({ ...env, DELIVERY_QUEUE: queue as unknown as Queue }, now).then((report) => ({ report, queue }));
}

describe("the sweep", () => {
	it("re-enqueues a delivery whose queue message was lost, once it is older than STRANDED_AFTER_SECONDS", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = lost.messages;

		const early = await sweepWith(Date.now());
		expect(early.queue.messages).toEqual([]);

		const later = await sweepWith(Date.now() + strandedAfterMs + 1);
		expect(later.report).toEqual({ requeued: 1, failed: 0 });
		expect(later.queue.messages).toEqual([{ deliveryId }]);

		// The re-enqueued message delivers it.
		const destination = stubDestination(() => new Response("ok"));
		await runConsumer([deliveryId]);
		expect(destination.requests).toHaveLength(1);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "delivered" }]);
	});

	it("re-enqueues a retry that is overdue (its alarm was never armed) and leaves one that is not", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		await runConsumer([deliveryId]);
		// The alarm was never armed (or was lost).
		await clearRetryAlarms();
		const [{ next_attempt_at }] = await rows<{ next_attempt_at: number }>("SELECT next_attempt_at FROM deliveries");

		expect((await sweepWith(next_attempt_at + 1)).queue.messages).toEqual([]);
		expect((await sweepWith(next_attempt_at + strandedAfterMs + 1)).queue.messages).toEqual([{ deliveryId }]);
	});

	it("takes up a delivery whose attempt was cut off by a crash, counting that attempt", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		// A claim whose attempt never recorded anything: the Worker died mid-flight.
		const [{ next_attempt_at: leaseEnd }] = await rows<{ next_attempt_at: number }>(
			"UPDATE deliveries SET attempt_count = 1, claim_id = 'clm_dead', next_attempt_at = ? RETURNING next_attempt_at",
			Date.now() + 1000,
		);
		const { queue: requeued } = await sweepWith(leaseEnd + strandedAfterMs + 1);
		expect(requeued.messages).toEqual([{ deliveryId }]);
	});

	it("marks failed a delivery whose last attempt was cut off, instead of a fifth attempt", async () => {
		await createEndpoint("https://receiver.example/hook");
		await ingest(fixture("ticket.created"));
		await env.DB.prepare("UPDATE deliveries SET status = 'retrying', attempt_count = 4, claim_id = 'clm_dead', next_attempt_at = ?")
			.bind(Date.now())
			.run();
		const { report, queue } = await sweepWith(Date.now() + strandedAfterMs + 1);
		expect(report).toEqual({ requeued: 0, failed: 1 });
		expect(queue.messages).toEqual([]);
		expect(await rows("SELECT status, next_attempt_at FROM deliveries")).toEqual([{ status: "failed", next_attempt_at: null }]);
	});

	it("runs from the Worker's scheduled handler", async () => {
		await createEndpoint("https://receiver.example/hook");
		const { queue: lost } = await ingest(fixture("ticket.created"));
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?")
			.bind(Date.now() - strandedAfterMs - 1)
			.run();
		const queue = recordingQueue();
		await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...env, DELIVERY_QUEUE: queue as unknown as Queue });
		expect(queue.messages).toEqual(lost.messages);
	});
});
