import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import type { EndpointView } from "../../src/endpoints/endpointResponses";
import { api, apiWithQueue, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, operatorHeaders, request, rows, runConsumer, stubDestination } from "../helpers/worker";

type View = EndpointView;

describe("GET and PATCH /api/endpoints/:id", () => {
	it("shows one endpoint, without its secret", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const response = await api(`/endpoints/${created.id}`);
		expect(response.status).toBe(200);
		expect(await json(response)).toMatchObject({
			id: created.id,
			url: "https://a.example/hook",
			events: ["*"],
			enabled: true,
			headers: {},
		});
		expect(await json(await api(`/endpoints/${created.id}`))).not.toHaveProperty("secret");
	});

	it("changes nothing, not even updated_at, for an empty PATCH", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const before = await rows("SELECT * FROM endpoints WHERE id = ?", created.id);
		const audited = await rows("SELECT id FROM audit_log");
		await new Promise((resolve) => setTimeout(resolve, 5));
		const response = await api(`/endpoints/${created.id}`, { method: "PATCH", body: {} });
		expect(response.status).toBe(200);
		expect((await json<View>(response)).updated_at).toBe(new Date(before[0].updated_at as number).toISOString());
		expect(await rows("SELECT * FROM endpoints WHERE id = ?", created.id)).toEqual(before);
		expect(await rows("SELECT id FROM audit_log")).toEqual(audited);
	});

	it("records an events change only when the events change", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const audited = async () => rows("SELECT detail FROM audit_log WHERE action = 'endpoint edited'");
		await api(`/endpoints/${created.id}`, { method: "PATCH", body: { events: ["*"] } });
		expect(await audited()).toEqual([]);
		await api(`/endpoints/${created.id}`, { method: "PATCH", body: { events: ["ticket.created"] } });
		expect(await audited()).toEqual([{ detail: "events: ticket.created" }]);
	});

	it("edits the URL and keeps the secret and the history", async () => {
		const created = await createEndpoint("https://old.example/hook");
		await ingest(fixture("ticket.created"));
		const response = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { url: "https://NEW.example/hook" } });
		expect(response.status).toBe(200);
		expect((await json<View>(response)).url).toBe("https://new.example/hook");
		expect(await rows("SELECT url, secret FROM endpoints WHERE id = ?", created.id)).toEqual([
			{ url: "https://new.example/hook", secret: created.secret },
		]);
		expect(await rows("SELECT endpoint_id FROM deliveries")).toEqual([{ endpoint_id: created.id }]);
	});

	it("refuses an invalid or taken URL (422, 409) and an unknown id (404), changing nothing", async () => {
		const a = await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const invalid = await api(`/endpoints/${a.id}`, { method: "PATCH", body: { url: "http://127.0.0.1/hook" } });
		expect(invalid.status).toBe(422);
		expect((await json<{ fields: Record<string, string> }>(invalid)).fields).toHaveProperty("url");
		expect((await api(`/endpoints/${a.id}`, { method: "PATCH", body: { url: "https://b.example/hook" } })).status).toBe(409);
		expect((await api("/endpoints/ep_missing", { method: "PATCH", body: { enabled: false } })).status).toBe(404);
		expect(await rows("SELECT url FROM endpoints WHERE id = ?", a.id)).toEqual([{ url: "https://a.example/hook" }]);
	});

	it("chooses a subset of events, and all again", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const subset = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { events: ["ticket.created", "comment.created"] } });
		expect((await json<View>(subset)).events).toEqual(["ticket.created", "comment.created"]);
		const { response } = await ingest(fixture("ticket.archived"));
		expect((await json<{ deliveries: number }>(response)).deliveries).toBe(0);
		const all = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { events: ["*"] } });
		expect((await json<View>(all)).events).toEqual(["*"]);
		expect((await api(`/endpoints/${created.id}`, { method: "PATCH", body: { events: [] } })).status).toBe(422);
	});

	it("disabling cancels unfinished deliveries; enabling clears the reason Hivepost disabled it for", async () => {
		const created = await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		const disabled = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { enabled: false } });
		expect((await json<View>(disabled)).enabled).toBe(false);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "cancelled" }]);
		const { response } = await ingest(fixture("ticket.created"));
		expect((await json<{ deliveries: number }>(response)).deliveries).toBe(0);

		await rows("UPDATE endpoints SET disabled_reason = 'The destination answered 410 Gone.' WHERE id = ?", created.id);
		const enabled = await json<View>(await api(`/endpoints/${created.id}`, { method: "PATCH", body: { enabled: true } }));
		expect(enabled).toMatchObject({ enabled: true, disabled_reason: null });
	});
});

describe("custom headers", () => {
	it("are sent with deliveries, shown only as a masked hint, and removed with null", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const token = "Bearer receiver-secret-value-1234";
		const patched = await json<View>(
			await api(`/endpoints/${created.id}`, { method: "PATCH", body: { headers: { Authorization: token, "X-Short": "abc" } } }),
		);
		expect(patched.headers).toEqual({ authorization: "••••1234", "x-short": "••••" });
		for (const path of [`/endpoints/${created.id}`, "/endpoints"]) {
			expect(JSON.stringify(await json(await api(path)))).not.toContain("receiver-secret-value");
		}
		const destination = stubDestination(() => new Response("ok"));
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(destination.requests[0].headers.get("authorization")).toBe(token);
		expect(destination.requests[0].headers.get("x-short")).toBe("abc");

		const removed = await json<View>(await api(`/endpoints/${created.id}`, { method: "PATCH", body: { headers: { "x-short": null } } }));
		expect(removed.headers).toEqual({ authorization: "••••1234" });
	});

	for (const [name, changes, field, reason] of [
		["a reserved header", { "Webhook-Signature": "v1,forged" }, "headers.Webhook-Signature", /Hivepost sets this header itself/],
		["any webhook-* header", { "webhook-foo": "x" }, "headers.webhook-foo", /Hivepost sets this header itself/],
		["Content-Type", { "content-type": "text/plain" }, "headers.content-type", /Hivepost sets this header itself/],
		["Host", { Host: "internal.example" }, "headers.Host", /Hivepost sets this header itself/],
		["User-Agent", { "User-Agent": "me" }, "headers.User-Agent", /Hivepost sets this header itself/],
		["a name with a space", { "Bad Name": "x" }, "headers.Bad Name", /^Header names can't contain spaces\.$/],
		["a name that is not a token", { "Bad(Name)": "x" }, "headers.Bad(Name)", /^Header names can only use letters, digits/],
		["a value with a line break", { "X-Ok": "a\r\nX-Injected: 1" }, "headers.X-Ok", /visible ASCII/],
	] as const) {
		it(`refuses ${name} with 422 naming it and saying why`, async () => {
			const created = await createEndpoint("https://a.example/hook");
			const response = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { headers: changes } });
			expect(response.status).toBe(422);
			expect((await json<{ fields: Record<string, string> }>(response)).fields).toEqual({ [field]: expect.stringMatching(reason) });
			expect(await rows("SELECT headers FROM endpoints")).toEqual([{ headers: "{}" }]);
		});
	}

	// Outside visible ASCII, space and tab a value is not valid HTTP (or has no agreed encoding): refused when saved.
	for (const [name, value] of [
		["a non-ASCII value", "café"],
		["a value with another non-ASCII character", "ok ✓"],
		["a value with a control character", "a\u0001b"],
		["a value with DEL", "a\u007fb"],
	] as const) {
		it(`refuses ${name} with 422 validation_failed naming the header, storing nothing`, async () => {
			const created = await createEndpoint("https://a.example/hook");
			const response = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { headers: { "X-Token": value } } });
			expect(response.status).toBe(422);
			const error = await json<{ code: string; error: string; fields: Record<string, string> }>(response);
			expect(error.code).toBe("validation_failed");
			expect(error.fields).toEqual({ "headers.X-Token": expect.stringMatching(/visible ASCII/) });
			expect(error.error).toContain("headers.X-Token");
			expect((await json<View>(await api(`/endpoints/${created.id}`))).headers).toEqual({});
			// Nor when the endpoint is created with it.
			const creating = await api("/endpoints", { method: "POST", body: { url: "https://b.example/hook", headers: { "X-Token": value } } });
			expect(creating.status).toBe(422);
			expect((await json<{ fields: Record<string, string> }>(creating)).fields).toHaveProperty(["headers.X-Token"]);
			expect(await rows("SELECT url, headers FROM endpoints")).toEqual([{ url: "https://a.example/hook", headers: "{}" }]);
		});
	}

	it("accept every visible ASCII character, spaces and tabs, and deliver them unchanged", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
		const value = `a b\tc ${visible}`;
		const response = await api(`/endpoints/${created.id}`, { method: "PATCH", body: { headers: { "X-Token": value } } });
		expect(response.status).toBe(200);
		expect(JSON.parse((await rows<{ headers: string }>("SELECT headers FROM endpoints"))[0].headers)).toEqual({ "x-token": value });
		const destination = stubDestination(() => new Response("ok"));
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(destination.requests[0].headers.get("x-token")).toBe(value);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "delivered" }]);
	});

	it("can be given when the endpoint is created", async () => {
		const response = await api("/endpoints", {
			method: "POST",
			body: { url: "https://a.example/hook", headers: { "X-Api-Key": "k-0123456789abcdef" } },
		});
		expect(response.status).toBe(201);
		expect((await json<View>(response)).headers).toEqual({ "x-api-key": "••••cdef" });
	});
});

describe("signing secrets", () => {
	it("GET /secret reveals it with Cache-Control: no-store", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const response = await api(`/endpoints/${created.id}/secret`);
		expect(response.status).toBe(200);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await json(response)).toEqual({ secret: created.secret, previous_secret_expires_at: null });
		expect((await api("/endpoints/ep_missing/secret")).status).toBe(404);
	});

	it("rotate-secret makes a new secret; for 24 h deliveries verify with the new and the old one", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const before = Date.now();
		const response = await api(`/endpoints/${created.id}/rotate-secret`, { method: "POST" });
		expect(response.status).toBe(200);
		expect(response.headers.get("cache-control")).toBe("no-store");
		const rotated = await json<{ secret: string; previous_secret_expires_at: string }>(response);
		expect(rotated.secret).toMatch(/^whsec_/);
		expect(rotated.secret).not.toBe(created.secret);
		const expires = Date.parse(rotated.previous_secret_expires_at);
		expect(expires).toBeGreaterThanOrEqual(before + 24 * 60 * 60 * 1000);
		expect(expires).toBeLessThan(Date.now() + 24 * 60 * 60 * 1000 + 1000);

		const destination = stubDestination(() => new Response("ok"));
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		const [sent] = destination.requests;
		for (const secret of [rotated.secret, created.secret]) {
			expect(new Webhook(secret).verify(sent.body, Object.fromEntries(sent.headers))).toEqual(JSON.parse(sent.body));
		}
	});

	it("rotating twice within the overlap keeps every replaced secret signing until its own expiry", async () => {
		const created = await createEndpoint("https://a.example/hook");
		const first = await json<{ secret: string; previous_secret_expires_at: string }>(
			await api(`/endpoints/${created.id}/rotate-secret`, { method: "POST" }),
		);
		const second = await json<{ secret: string; previous_secret_expires_at: string }>(
			await api(`/endpoints/${created.id}/rotate-secret`, { method: "POST" }),
		);
		const destination = stubDestination(() => new Response("ok"));
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages);
		const headers = Object.fromEntries(destination.requests[0].headers);
		// One signature per valid secret: the current one and both replaced ones.
		expect(headers["webhook-signature"].split(" ")).toHaveLength(3);
		for (const secret of [second.secret, first.secret, created.secret]) {
			expect(new Webhook(secret).verify(destination.requests[0].body, headers)).toEqual(JSON.parse(destination.requests[0].body));
		}
		// Each replaced secret keeps its own expiry: the older one is not extended by the second rotation.
		const [row] = await rows<{ previous_secrets: string }>("SELECT previous_secrets FROM endpoints");
		const retired = JSON.parse(row.previous_secrets) as { secret: string; expires_at: number }[];
		expect(retired.map((entry) => entry.secret)).toEqual([first.secret, created.secret]);
		expect(retired[1].expires_at).toBe(Date.parse(first.previous_secret_expires_at));
		expect(Date.parse(second.previous_secret_expires_at)).toBe(retired[0].expires_at);
	});
});

describe("POST /api/endpoints/:id/test", () => {
	it("creates a test event with the type's sample payload and one delivery for this endpoint only, queued", async () => {
		const target = await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const { response, queue } = await apiWithQueue(`/endpoints/${target.id}/test`, {
			method: "POST",
			body: { action_type: "ticket.assigned.to.team" },
		});
		expect(response.status).toBe(202);
		const sent = await json<{ delivery_id: string; event_id: string }>(response);
		expect(queue.messages).toEqual([{ accountId: "acc_default", deliveryId: sent.delivery_id, endpointId: target.id }]);
		expect(await rows("SELECT id, endpoint_id, status FROM deliveries")).toEqual([
			{ id: sent.delivery_id, endpoint_id: target.id, status: "new" },
		]);
		expect(await rows("SELECT id, action_type, is_test FROM events")).toEqual([
			{ id: sent.event_id, action_type: "ticket.assigned.to.team", is_test: 1 },
		]);
		expect((await json<{ body: string }>(await api(`/events/${sent.event_id}`))).body).toBe(fixture("ticket.assigned.to.team"));

		const destination = stubDestination(() => new Response("ok"));
		await runConsumer([sent.delivery_id]);
		expect(destination.requests.map((r) => [r.url, r.headers.get("webhook-id")])).toEqual([["https://a.example/hook", sent.event_id]]);
	});

	it("still answers 202 when the queue is down: the pending delivery is left to the sweep", async () => {
		const target = await createEndpoint("https://a.example/hook");
		const failingQueue = {
			send: async () => {},
			sendBatch: async () => {
				throw new Error("queue down");
			},
		} as unknown as Queue;
		vi.spyOn(console, "error").mockImplementation(() => {});
		const { response } = await request(
			`/api/endpoints/${target.id}/test`,
			{ method: "POST", headers: operatorHeaders, body: JSON.stringify({ action_type: "ticket.created" }) },
			{ env: { DELIVERY_QUEUE: failingQueue } },
		);
		expect(response.status).toBe(202);
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "new", attempt_count: 0 }]);
	});

	it("answers 422 to an unknown type, 404 to an unknown endpoint, 409 to a disabled one", async () => {
		const target = await createEndpoint("https://a.example/hook");
		const melted = await api(`/endpoints/${target.id}/test`, { method: "POST", body: { action_type: "ticket.melted" } });
		expect(melted.status).toBe(422);
		// Like ingest, the answer lists the types there are.
		expect(((await melted.json()) as { fields: Record<string, string> }).fields.action_type).toMatch(
			/ticket\.created, .*ticket\.unarchived$/,
		);
		expect((await api("/endpoints/ep_missing/test", { method: "POST", body: { action_type: "ticket.created" } })).status).toBe(404);
		await api(`/endpoints/${target.id}`, { method: "PATCH", body: { enabled: false } });
		expect((await api(`/endpoints/${target.id}/test`, { method: "POST", body: { action_type: "ticket.created" } })).status).toBe(409);
		expect(await rows("SELECT id FROM events")).toEqual([]);
	});
});

describe("POST /api/endpoints/:id/redeliver", () => {
	it("starts every failed delivery since the time over with a fresh budget, keeping the history", async () => {
		const target = await createEndpoint("https://a.example/hook");
		const other = await createEndpoint("https://b.example/hook");
		const now = Date.now();
		const old = now - 3 * 60 * 60 * 1000;
		// The first event three hours ago, before the time asked for: its deliveries are made then.
		vi.useFakeTimers({ toFake: ["Date"], now: old });
		await ingest(fixture("ticket.created"));
		vi.useRealTimers();
		for (let i = 0; i < 2; i++) await ingest(fixture("ticket.created"));
		await rows("UPDATE deliveries SET status = 'failed', attempt_count = 4, next_attempt_at = NULL");
		await rows(
			"INSERT INTO attempts (account_id, delivery_id, seq, attempt_number, manual, started_at, duration_ms, status_code, succeeded) SELECT account_id, id, 1, 4, 0, ?, 5, 500, 0 FROM deliveries",
			now,
		);
		const since = new Date(now - 60 * 60 * 1000).toISOString();
		const { response, queue } = await apiWithQueue(`/endpoints/${target.id}/redeliver`, { method: "POST", body: { since } });
		expect(response.status).toBe(202);
		expect(await json(response)).toEqual({ redelivered: 2, more: false });
		const reset = await rows<{ id: string; status: string; attempt_count: number; claim_id: null }>(
			"SELECT id, status, attempt_count, claim_id FROM deliveries WHERE endpoint_id = ? AND created_at > ? ORDER BY id",
			target.id,
			old,
		);
		expect(reset.map((row) => [row.status, row.attempt_count, row.claim_id])).toEqual([
			["pending", 0, null],
			["pending", 0, null],
		]);
		expect(queue.messages.map((m) => m.deliveryId).sort()).toEqual(reset.map((row) => row.id).sort());
		expect(await rows("SELECT status FROM deliveries WHERE endpoint_id = ? AND created_at = ?", target.id, old)).toEqual([
			{ status: "failed" },
		]);
		expect(await rows("SELECT DISTINCT status FROM deliveries WHERE endpoint_id = ?", other.id)).toEqual([{ status: "failed" }]);
		expect(await rows("SELECT count(*) AS n FROM delivery_attempts")).toEqual([{ n: 6 }]);

		const destination = stubDestination(() => new Response("ok"));
		await runConsumer(reset.map((row) => row.id));
		expect(destination.requests).toHaveLength(2);
		expect(
			await rows("SELECT DISTINCT status, attempt_count FROM deliveries WHERE endpoint_id = ? AND created_at > ?", target.id, old),
		).toEqual([{ status: "delivered", attempt_count: 1 }]);
	});

	it("answers 400 without since, 422 to a time that is not ISO 8601", async () => {
		const target = await createEndpoint("https://a.example/hook");
		expect((await api(`/endpoints/${target.id}/redeliver`, { method: "POST", body: {} })).status).toBe(400);
		expect((await api(`/endpoints/${target.id}/redeliver`, { method: "POST", body: { since: "yesterday" } })).status).toBe(422);
	});
});
