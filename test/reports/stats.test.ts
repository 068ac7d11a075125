/** The stats of an account with many endpoints: more than one statement's worth of parameters, live and deleted, with history. */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { fixture, ingest, runConsumer, stubDestination } from "../helpers/worker";

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
