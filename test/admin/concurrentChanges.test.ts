/**
 * Check-then-act races: Send test event and Redeliver failed check that the
 * endpoint is live, then write; the write itself checks again, in the same
 * statement, so an endpoint deleted or disabled in between never ends up with
 * a pending delivery (and the request that lost the race changes nothing).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, createEndpoint, dbWithConcurrentWrite, fixture, ingest, request, rows } from "../helpers";

async function post(path: string, body: unknown, db: D1Database) {
	return (await request(path, { method: "POST", headers: adminHeaders, body: JSON.stringify(body) }, { DB: db })).response;
}

describe("a concurrent delete", () => {
	for (const change of ["deleted_at = 1", "enabled = 0"]) {
		it(`between Send test event's check and its write (${change}) leaves nothing behind`, async () => {
			const endpoint = await createEndpoint("https://receiver.example/hook");
			const db = dbWithConcurrentWrite(() => env.DB.prepare(`UPDATE endpoints SET ${change} WHERE id = ?`).bind(endpoint.id).run());
			const response = await post(`/api/endpoints/${endpoint.id}/test`, { action_type: "ticket.created" }, db);
			expect(response.status).toBe(409);
			expect(await response.json()).toMatchObject({ code: "endpoint_disabled" });
			expect(await rows("SELECT id FROM events")).toEqual([]);
			expect(await rows("SELECT id FROM deliveries")).toEqual([]);
			expect(await rows("SELECT action FROM audit_log WHERE action = 'test event sent'")).toEqual([]);
		});
	}

	it("between Redeliver failed's check and its write starts nothing over", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await ingest(fixture("ticket.created"));
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', attempt_count = 4, next_attempt_at = NULL").run();
		const db = dbWithConcurrentWrite(() => env.DB.prepare("UPDATE endpoints SET deleted_at = 1 WHERE id = ?").bind(endpoint.id).run());
		const response = await post(`/api/endpoints/${endpoint.id}/redeliver`, { since: new Date(Date.now() - 60_000).toISOString() }, db);
		expect(response.status).toBe(202);
		expect(await response.json()).toEqual({ redelivered: 0 });
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "failed", attempt_count: 4 }]);
	});
});
