import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeExpired } from "../../src/db/retention";
import { adminHeaders, createEndpoint, fixture, ingest, request, rows, runConsumer, stubDestination } from "../helpers";

const DAY = 24 * 3600 * 1000;
const retentionMs = Number(env.RETENTION_DAYS) * DAY;

async function count(table: string) {
	const [{ n }] = await rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
	return n;
}

describe("retention", () => {
	it("purges finished events, deliveries and attempts older than RETENTION_DAYS, never unfinished ones", async () => {
		stubDestination((request) => new Response(null, { status: request.url.includes("dead") ? 500 : 200 }));
		await createEndpoint("https://fine.example/hook");
		await createEndpoint("https://dead.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(await rows("SELECT status FROM deliveries ORDER BY status")).toEqual([{ status: "delivered" }, { status: "retrying" }]);

		expect(await purgeExpired(env, Date.now() + retentionMs - DAY)).toEqual({ deliveries: 0, events: 0 });
		expect(await count("attempts")).toBe(2);

		// A second event whose deliveries were never attempted: pending.
		await ingest(fixture("ticket.answered"));
		const report = await purgeExpired(env, Date.now() + retentionMs + 1000);
		expect(report).toEqual({ deliveries: 1, events: 0 });
		expect(await rows("SELECT status FROM deliveries ORDER BY status")).toEqual([
			{ status: "pending" },
			{ status: "pending" },
			{ status: "retrying" },
		]);
		expect(await count("attempts")).toBe(1);
		// Both events still have unfinished deliveries: they stay.
		expect(await count("events")).toBe(2);
	});

	it("purges an old event once none of its deliveries is left, and deleted endpoints with no history", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		await request(`/api/endpoints/${endpoint.id}`, { method: "DELETE", headers: adminHeaders });
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "cancelled" }]);
		const report = await purgeExpired(env, Date.now() + retentionMs + 1000);
		expect(report).toEqual({ deliveries: 1, events: 1 });
		expect(await count("events")).toBe(0);
		expect(await count("endpoints")).toBe(0);
	});

	it("keeps a live endpoint however old", async () => {
		await createEndpoint("https://a.example/hook");
		await purgeExpired(env, Date.now() + 10 * retentionMs);
		expect(await count("endpoints")).toBe(1);
	});

	it("forgets Idempotency-Keys older than 24 hours", async () => {
		await ingest(fixture("ticket.created"), { "idempotency-key": "k1" });
		await purgeExpired(env, Date.now() + DAY - 1000);
		expect(await rows("SELECT idempotency_key FROM events")).toEqual([{ idempotency_key: "k1" }]);
		await purgeExpired(env, Date.now() + DAY + 1000);
		expect(await rows("SELECT idempotency_key FROM events")).toEqual([{ idempotency_key: null }]);
	});
});
