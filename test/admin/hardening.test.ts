/** Found in review: each test pins a defect that was fixed. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REDELIVER_LIMIT } from "../../src/endpoints/deliveryActions";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

afterEach(async () => {
	await env.DB.prepare("DROP TRIGGER IF EXISTS injected_fault").run();
});

const bearerOnly = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

describe("API clients with a bearer token and no body", () => {
	it("can delete an endpoint, rotate a secret and retry a delivery (the CSRF check is for browser forms)", async () => {
		stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		expect((await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST", headers: bearerOnly })).status).toBe(200);
		const { queue } = await ingest(fixture("ticket.created"));
		expect((await api(`/deliveries/${queue.messages[0].deliveryId}/retry`, { method: "POST", headers: bearerOnly })).status).toBe(200);
		expect((await api(`/endpoints/${endpoint.id}`, { method: "DELETE", headers: bearerOnly })).status).toBe(204);
	});
});

describe("logs", () => {
	it("never show a signing secret or a header value when a write fails", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await env.DB.prepare("CREATE TRIGGER injected_fault BEFORE UPDATE ON endpoints BEGIN SELECT RAISE(ABORT, 'injected fault'); END").run();
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		expect((await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST" })).status).toBe(500);
		expect(
			(await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { headers: { Authorization: "Bearer receiver-secret-value" } } }))
				.status,
		).toBe(500);
		const text = logged.mock.calls.map((call) => call.join(" ")).join("\n");
		expect(text).toContain("injected fault");
		expect(text).not.toContain(endpoint.secret);
		expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{20,}/);
		expect(text).not.toContain("receiver-secret-value");
	});
});

describe("stats", () => {
	it("answer with more than 100 endpoints (live and deleted) that have history", async () => {
		stubDestination(() => new Response("ok"));
		const urls = Array.from({ length: 120 }, (_, i) => `https://r${i}.example/hook`);
		expect((await api("/endpoints", { method: "PUT", body: { urls: urls.join(",") } })).status).toBe(200);
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.slice(0, 50).map((m) => m.deliveryId));
		await runConsumer(queue.messages.slice(50, 100).map((m) => m.deliveryId));
		await runConsumer(queue.messages.slice(100).map((m) => m.deliveryId));
		expect((await api("/endpoints", { method: "PUT", body: { urls: urls.slice(0, 10).join(",") } })).status).toBe(200);
		const response = await api("/stats");
		expect(response.status).toBe(200);
		const stats = await json<{ endpoints: { last_status_code: number }[] }>(response);
		expect(stats.endpoints).toHaveLength(10);
		expect(stats.endpoints.every((health) => health.last_status_code === 200)).toBe(true);
	});
});

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
		// One failed delivery from ingest, plus enough copies to pass the limit.
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${REDELIVER_LIMIT})
			 INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			 SELECT account_id, 'dlv_copy_' || i, event_id, endpoint_id, 'failed', 4, created_at, updated_at FROM n, (SELECT * FROM deliveries LIMIT 1)`,
		).run();
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', attempt_count = 4").run();
		const since = new Date(Date.now() - 60_000).toISOString();
		const first = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since } });
		expect(await json(first)).toEqual({ redelivered: REDELIVER_LIMIT });
		const second = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since } });
		expect(await json(second)).toEqual({ redelivered: 1 });
		expect(await rows("SELECT DISTINCT status, attempt_count FROM deliveries")).toEqual([{ status: "pending", attempt_count: 0 }]);
	});
});
