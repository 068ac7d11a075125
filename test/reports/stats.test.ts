/**
 * The stats of an account: with many endpoints (more than one statement's worth of parameters, live and deleted,
 * with history), and since when its longest-waiting due delivery waits.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, runConsumer, stubDestination } from "../helpers/worker";

describe("stats", () => {
	it("answer with more than 100 endpoints (live and deleted) that have history", async () => {
		stubDestination(() => new Response("ok"));
		const urls = Array.from({ length: 120 }, (_, i) => `https://r${i}.example/hook`);
		expect((await api("/endpoints", { method: "PUT", body: { urls: urls.join(",") } })).status).toBe(200);
		const { queue } = await ingest(fixture("ticket.created"));
		// A fan-out of 120 is over the fair rate (100 a second): the event's first attempts take the bulk lane.
		const bulk = queue.on("bulk");
		expect(bulk).toHaveLength(120);
		for (let i = 0; i < bulk.length; i += 50) await runConsumer(bulk.slice(i, i + 50), { lane: "bulk" });
		expect((await api("/endpoints", { method: "PUT", body: { urls: urls.slice(0, 10).join(",") } })).status).toBe(200);
		const response = await api("/stats");
		expect(response.status).toBe(200);
		const stats = await json<{ endpoints: { last_status_code: number }[] }>(response);
		expect(stats.endpoints).toHaveLength(10);
		expect(stats.endpoints.every((health) => health.last_status_code === 200)).toBe(true);
	});

	it("give oldest_waiting_at: null while nothing waits, else when the longest-waiting due delivery not in flight became due", async () => {
		await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const oldest = async () => (await json<{ oldest_waiting_at: string | null }>(await api("/stats"))).oldest_waiting_at;
		expect(await oldest()).toBeNull();
		const { queue } = await ingest(fixture("ticket.created"));
		const [first, second] = queue.messages;
		const now = Date.now();
		const due = (id: string, at: number) => env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(at, id).run();
		await due(first.deliveryId, now - 90_000);
		await due(second.deliveryId, now - 30_000);
		expect(await oldest()).toBe(new Date(now - 90_000).toISOString());
		// In flight (claimed, leased): not waiting.
		await env.DB.prepare("UPDATE deliveries SET claim_id = 'clm_' || lower(hex(randomblob(14))), lease_until = ? WHERE id = ?")
			.bind(now + 60_000, first.deliveryId)
			.run();
		expect(await oldest()).toBe(new Date(now - 30_000).toISOString());
		// Due later: not waiting yet.
		await due(second.deliveryId, now + 60_000);
		expect(await oldest()).toBeNull();
		expect(await oldest()).toBe((await json<{ oldest_waiting_at: string | null }>(await api("/accounts/default/stats"))).oldest_waiting_at);
	});
});
