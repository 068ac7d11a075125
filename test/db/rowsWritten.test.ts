/**
 * D1 rows written are almost all of Hivepost's cost, and D1's write rate the
 * ceiling of a deployment: a delivery to a healthy endpoint at a fan-out of
 * 10 writes at most 4.5 rows (issue 17's target), counted from D1's own
 * meta.rows_written (index rows included) with the benchmark's own counters
 * (bench/worker/work.ts). bench/README.md accounts for each row. It was 6.3
 * before a clean success was kept on the delivery's row, 5.3 before ingest's
 * first attempts were kept out of the unfinished deliveries' index, 4.4 with
 * `deliveries` and its endpoint index, 7.4 while 0.5.0 copied each change
 * into deliveries_v2, and 3.4 since 0.6.0 writes only deliveries_v2.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countedEnv, resetWork, work } from "../../bench/worker/work";
import { createEndpoint, fixture, ingest, recordingQueues, runConsumer, stubDestination, testEnv } from "../helpers/worker";

describe("rows written", () => {
	it("are at most 4.5 per delivery at a fan-out of 10, ingest and delivery together", async () => {
		stubDestination(() => new Response("ok"));
		for (let i = 0; i < 10; i++) await createEndpoint(`https://r${i}.example/hook`);
		resetWork();
		const queue = recordingQueues();
		const ingestEnv = countedEnv(testEnv(queue), "ingest");
		for (let i = 0; i < 10; i++) expect((await ingest(fixture("ticket.created"), { env: { DB: ingestEnv.DB } })).response.status).toBe(202);
		const messages = (await env.DB.prepare("SELECT account_id, id, endpoint_id FROM deliveries").all<Record<string, string>>()).results.map(
			(row) => ({ accountId: row.account_id, deliveryId: row.id, endpointId: row.endpoint_id }),
		);
		expect(messages).toHaveLength(100);
		const deliveryEnv = countedEnv(env, "delivery");
		await runConsumer(messages.slice(0, 50), { env: { DB: deliveryEnv.DB } });
		await runConsumer(messages.slice(50), { env: { DB: deliveryEnv.DB } });
		const delivered = (await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'").first<{ n: number }>())?.n;
		expect(delivered).toBe(100);
		expect(work.ingest.d1StatementsWithoutMeta + work.delivery.d1StatementsWithoutMeta).toBe(0);
		const perDelivery = (work.ingest.d1RowsWritten + work.delivery.d1RowsWritten) / 100;
		expect(perDelivery).toBeLessThanOrEqual(4.5);
		// Where they go: 0.3 for the event (its row, its primary-key entry and its ticket's events_ticket entry, for ten deliveries), 1
		// for the delivery (deliveries_v2 is its own primary key; made `new`, it has no entry in the unfinished deliveries' index), 1 for
		// the claim, 1 for delivered with its successful attempt on the row (no attempts row), and the endpoints' health (at most once
		// per HEALTH_REFRESH_MS each). An endpoint's key is written with the endpoint (migration 0013), before the count starts.
		expect(work.ingest.d1RowsWritten / 100).toBeCloseTo(1.3, 5);
		expect(work.delivery.d1RowsWritten / 100).toBeGreaterThanOrEqual(2);
		expect(work.delivery.d1RowsWritten / 100).toBeLessThanOrEqual(2.2);
	});

	it("cost about one delivery-side statement per delivery: an endpoint's unchanged health is written once per batch, not once per wave", async () => {
		stubDestination(() => new Response("ok"));
		for (let i = 0; i < 10; i++) await createEndpoint(`https://r${i}.example/hook`);
		const queue = recordingQueues();
		for (let i = 0; i < 10; i++) await ingest(fixture("ticket.created"), { env: testEnv(queue) });
		resetWork();
		const deliveryEnv = countedEnv(env, "delivery");
		await runConsumer(queue.messages.slice(0, 50), { env: { DB: deliveryEnv.DB } });
		await runConsumer(queue.messages.slice(50), { env: { DB: deliveryEnv.DB } });
		// Per wave of up to 6: 3 to claim, 1 for the attempts, 1 for the new states; health statements only for an endpoint's first outcome
		// in the batch (1.34 per delivery when every wave wrote each of its endpoints' health).
		expect(work.delivery.d1Statements / 100).toBeLessThanOrEqual(1.1);
	});
});
