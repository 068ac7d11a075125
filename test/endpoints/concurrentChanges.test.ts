/**
 * Check-then-act races: Send test event and Redeliver failed check that the
 * endpoint is live, then write; the write itself checks again, in the same
 * statement, so an endpoint deleted or disabled in between never ends up with
 * a pending delivery (and the request that lost the race changes nothing).
 * A rotation and a header edit build on what they read (the secret replaced,
 * the headers merged into): their writes are fenced on it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { ORIGIN, page } from "../helpers/pages";
import { createEndpoint, dbWithConcurrentWrite, fixture, ingest, operatorHeaders, request, rows } from "../helpers/worker";

async function post(path: string, body: unknown, db: D1Database) {
	return (await request(path, { method: "POST", headers: operatorHeaders, body: JSON.stringify(body) }, { env: { DB: db } })).response;
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
		expect(await response.json()).toEqual({ redelivered: 0, more: false });
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "failed", attempt_count: 4 }]);
	});
});

describe("a concurrent change to what a change read", () => {
	it("between a secret rotation's read and its write: one rotation wins, the other answers 409 concurrent_change and changes nothing", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		let winner = "";
		const db = dbWithConcurrentWrite(async () => {
			const response = await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST" });
			winner = (await json<{ secret: string }>(response)).secret;
		});
		const response = await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST", env: { DB: db } });
		expect(response.status).toBe(409);
		expect(await response.json()).toMatchObject({ code: "concurrent_change" });
		// The secret shown to the winner is the one that signs; the original signs beside it, once.
		const [row] = await rows<{ secret: string; previous_secrets: string }>("SELECT secret, previous_secrets FROM endpoints");
		expect(row.secret).toBe(winner);
		expect(JSON.parse(row.previous_secrets).map((entry: { secret: string }) => entry.secret)).toEqual([endpoint.secret]);
		expect(await rows("SELECT action FROM audit_log WHERE action = 'secret rotated'")).toHaveLength(1);
	});

	it("between a header edit's read and its write: the other edit's header is kept, and this one answers 409 concurrent_change", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const db = dbWithConcurrentWrite(() => api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { headers: { "X-First": "one" } } }));
		const response = await api(`/endpoints/${endpoint.id}`, {
			method: "PATCH",
			body: { headers: { "X-Second": "two" }, enabled: false },
			env: {
				DB: db,
			},
		});
		expect(response.status).toBe(409);
		expect(await response.json()).toMatchObject({ code: "concurrent_change" });
		expect(await rows("SELECT headers, enabled FROM endpoints")).toEqual([{ headers: '{"x-first":"one"}', enabled: 1 }]);
		expect(await rows("SELECT action, detail FROM audit_log WHERE action LIKE 'header%' OR action LIKE 'endpoint dis%'")).toEqual([
			{ action: "header set", detail: "x-first" },
		]);
	});

	it("on the page: a rotation that lost the race shows the error page with 409", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const db = dbWithConcurrentWrite(() => api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST" }));
		const response = await page(
			`/admin/endpoints/${endpoint.id}/rotate-secret`,
			{ method: "POST", body: new URLSearchParams({ confirm: "yes" }), headers: { origin: ORIGIN } },
			{ env: { DB: db } },
		);
		expect(response.status).toBe(409);
		expect(await response.text()).toContain("was changed by someone else a moment ago; nothing was saved");
	});
});
