import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeExpired } from "../../src/db/retention";
import {
	createEndpoint,
	dbWithConcurrentWrite,
	fixture,
	ingest,
	operatorHeaders,
	request,
	rows,
	runConsumer,
	stubDestination,
} from "../helpers/worker";

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
		expect(await count("delivery_attempts")).toBe(2);

		// A second event whose deliveries were never attempted: new (pending).
		await ingest(fixture("ticket.answered"));
		const report = await purgeExpired(env, Date.now() + retentionMs + 1000);
		expect(report).toEqual({ deliveries: 1, events: 0 });
		expect(await rows("SELECT status FROM deliveries ORDER BY status")).toEqual([
			{ status: "new" },
			{ status: "new" },
			{ status: "retrying" },
		]);
		expect(await count("delivery_attempts")).toBe(1);
		// Both events still have unfinished deliveries: they stay.
		expect(await count("events")).toBe(2);
	});

	it("purges an old event once none of its deliveries is left, and deleted endpoints with no history", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		await request(`/api/endpoints/${endpoint.id}`, { method: "DELETE", headers: operatorHeaders });
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

	it("keeps a delivery redelivered between the purge's choice and its delete, with its attempts", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages);
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', attempt_count = 4, next_attempt_at = NULL").run();
		// Redeliver failed lands after the purge chose the delivery, before its batch.
		const redeliver = () =>
			request(`/api/endpoints/${endpoint.id}/redeliver`, {
				method: "POST",
				headers: operatorHeaders,
				body: JSON.stringify({ since: new Date(Date.now() - 60_000).toISOString() }),
			});
		const DB = dbWithConcurrentWrite(redeliver);
		const report = await purgeExpired({ ...env, DB }, Date.now() + retentionMs + 1000);
		expect(report).toEqual({ deliveries: 0, events: 0 });
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "pending", attempt_count: 0 }]);
		expect(await count("delivery_attempts")).toBe(1);
		expect(await count("events")).toBe(1);
	});

	it("forgets Idempotency-Keys older than 24 hours", async () => {
		await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k1" } });
		await purgeExpired(env, Date.now() + DAY - 1000);
		expect(await rows("SELECT idempotency_key FROM events")).toEqual([{ idempotency_key: "k1" }]);
		await purgeExpired(env, Date.now() + DAY + 1000);
		expect(await rows("SELECT idempotency_key FROM events")).toEqual([{ idempotency_key: null }]);
	});
});
