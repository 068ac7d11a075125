/** What Retry now and Redeliver failed refuse or limit: a disabled endpoint, and how many deliveries one request starts over. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { REDELIVER_LIMIT } from "../../src/endpoints/redelivery";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

describe("Retry now", () => {
	it("refuses a disabled endpoint with 409", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer([queue.messages[0].deliveryId]);
		expect((await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } })).status).toBe(200);
		const response = await api(`/deliveries/${queue.messages[0].deliveryId}/retry`, { method: "POST" });
		expect(response.status).toBe(409);
		expect((await json<{ error: string }>(response)).error).toMatch(/disabled/);
	});
});

describe("Redeliver failed", () => {
	it(`starts over at most ${REDELIVER_LIMIT} deliveries per request; the next request takes the rest`, async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await ingest(fixture("ticket.created"));
		// One failed delivery from ingest, plus enough copies to pass the limit (ids of its millisecond).
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${REDELIVER_LIMIT})
			 INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			 SELECT account_id, substr(id, 1, 16) || printf('%016x', i), event_id, endpoint_id, 'failed', 4, created_at, updated_at
			 FROM n, (SELECT * FROM deliveries LIMIT 1)`,
		).run();
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', attempt_count = 4").run();
		const since = new Date(Date.now() - 60_000).toISOString();
		const first = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since } });
		expect(await json(first)).toEqual({ redelivered: REDELIVER_LIMIT, more: true });
		const second = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since } });
		expect(await json(second)).toEqual({ redelivered: 1, more: false });
		expect(await rows("SELECT DISTINCT status, attempt_count FROM deliveries")).toEqual([{ status: "pending", attempt_count: 0 }]);
	});
});
