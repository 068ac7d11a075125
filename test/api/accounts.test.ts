/**
 * Accounts: the operator's API (create, rename, list, read, delete), each
 * account's own API and ingest, and what deleting an account leaves behind.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	ingestHeaders,
	operatorHeaders,
	pastEvents,
	pastRecentAccounts,
	request,
	rows,
	rowsEverywhere,
	runEverywhere,
	runScheduled,
} from "../helpers/worker";

describe("PUT /api/accounts/{uid}", () => {
	it("creates an account (201) whose name defaults to its uid, and renames it (200); the body is the account itself", async () => {
		const created = await api("/accounts/acme", { method: "PUT", body: {} });
		expect(created.status).toBe(201);
		const account = await json<{ uid: string; name: string; created_at: string }>(created);
		expect(account).toEqual({ uid: "acme", name: "acme", created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), database: "DB_1" });
		const renamed = await api("/accounts/acme", { method: "PUT", body: { name: "Acme Ltd" } });
		expect(renamed.status).toBe(200);
		expect(await json(renamed)).toEqual({ ...account, name: "Acme Ltd" });
		expect(await json(await api("/accounts/acme", { method: "PUT", body: {} }))).toEqual({ ...account, name: "Acme Ltd" });
	});

	it("takes no body at all as {} (every member is optional), but refuses a body that is not JSON", async () => {
		const created = await api("/accounts/acme", { method: "PUT" });
		expect(created.status).toBe(201);
		expect(await json(created)).toMatchObject({ uid: "acme", name: "acme" });
		expect((await api("/accounts/acme", { method: "PUT" })).status).toBe(200);
		const broken = await request("/api/accounts/acme", { method: "PUT", headers: operatorHeaders, body: "{name" });
		expect(broken.response.status).toBe(400);
		expect(await json(broken.response)).toMatchObject({ code: "invalid_json" });
	});

	it("says a body that is JSON but not an object must be one", async () => {
		for (const body of [[], null, 5]) {
			const response = await api("/accounts/acme", { method: "PUT", body });
			expect(response.status, JSON.stringify(body)).toBe(422);
			expect(await json(response)).toMatchObject({ code: "validation_failed", fields: { body: "must be a JSON object" } });
		}
	});

	it("answers a move without a body with 400 missing_field naming database", async () => {
		expect((await api("/accounts/acme", { method: "PUT" })).status).toBe(201);
		const response = await request("/api/accounts/acme/move", { method: "POST", headers: operatorHeaders });
		expect(response.response.status).toBe(400);
		expect(await json(response.response)).toMatchObject({ code: "missing_field", fields: { database: "required" } });
	});

	const refused = ["-acme", ".acme", "ac me", "a".repeat(65), "acmé", "ac%2Fme"];
	for (const uid of refused) {
		it(`refuses the uid ${JSON.stringify(uid)} with 422, storing nothing`, async () => {
			const response = await api(`/accounts/${encodeURIComponent(uid)}`, { method: "PUT", body: {} });
			expect(response.status).toBe(422);
			expect(await json(response)).toMatchObject({ code: "validation_failed", fields: { uid: expect.stringContaining("1 to 64") } });
			expect(await rows("SELECT uid FROM accounts WHERE id NOT IN ('acc_default', 'acc_operator')")).toEqual([]);
		});
	}

	it("accepts 1 to 64 letters, digits, '-', '_' and '.', and compares uids exactly (case-sensitive)", async () => {
		for (const uid of ["a", "0", "acme-ltd_2.eu", "A".repeat(64), "Acme"])
			expect((await api(`/accounts/${uid}`, { method: "PUT", body: {} })).status).toBe(201);
		expect((await api("/accounts/acme", { method: "PUT", body: {} })).status).toBe(201);
		expect((await api("/accounts/ACME")).status).toBe(404);
	});

	it("refuses a name that is not a non-empty string of one line", async () => {
		expect((await api("/accounts/acme", { method: "PUT", body: { name: 5 } })).status).toBe(422);
		expect((await api("/accounts/acme", { method: "PUT", body: { name: " " } })).status).toBe(422);
		const controlled = await api("/accounts/acme", { method: "PUT", body: { name: "a\u0000b\nc" } });
		expect(await json(controlled)).toMatchObject({
			code: "validation_failed",
			fields: { name: expect.stringContaining("control characters") },
		});
		expect(await rows("SELECT uid FROM accounts WHERE id NOT IN ('acc_default', 'acc_operator')")).toEqual([]);
	});
});

describe("GET /api/accounts", () => {
	it("lists accounts by uid, 50 a page, with a cursor and an exact prefix", async () => {
		for (let i = 0; i < 55; i++) await createAccount(`shop-${String(i).padStart(2, "0")}`);
		await createAccount("other");
		await createAccount("Shop-X");
		const first = await json<{ accounts: { uid: string }[]; next_cursor: string | null }>(await api("/accounts?prefix=shop-"));
		expect(first.accounts).toHaveLength(50);
		expect(first.accounts[0]).toMatchObject({ uid: "shop-00", endpoints: 0, health: { failing_endpoints: 0, deliveries_failed_24h: 0 } });
		expect(first.next_cursor).toBe("shop-49");
		const second = await json<{ accounts: { uid: string }[]; next_cursor: string | null }>(
			await api(`/accounts?prefix=shop-&cursor=${first.next_cursor}`),
		);
		expect(second.accounts.map((account) => account.uid)).toEqual(["shop-50", "shop-51", "shop-52", "shop-53", "shop-54"]);
		expect(second.next_cursor).toBeNull();
		const all = await json<{ accounts: { uid: string }[] }>(await api("/accounts"));
		expect(all.accounts.slice(0, 3).map((account) => account.uid)).toEqual(["Shop-X", "default", "other"]);
	});

	it("shows one account with its endpoint count and health: failing endpoints are enabled ones whose status is failing", async () => {
		await createAccount("acme", "Acme Ltd");
		await createEndpoint("https://a.example/hook", { account: "acme" });
		await createEndpoint("https://b.example/hook", { account: "acme" });
		await createEndpoint("https://c.example/hook", { account: "acme" });
		await createEndpoint("https://d.example/hook", { account: "acme" });
		const failed = "last_attempt_at = 1, last_attempt_succeeded = 0";
		// Failing now; disabled while failing (its status is disabled); failed before streaks were counted (working).
		await runEverywhere(`UPDATE endpoints SET ${failed}, consecutive_failures = 2, failing_since = 1 WHERE url = 'https://b.example/hook'`);
		await runEverywhere(`UPDATE endpoints SET ${failed}, consecutive_failures = 4, enabled = 0 WHERE url = 'https://c.example/hook'`);
		await runEverywhere(`UPDATE endpoints SET ${failed} WHERE url = 'https://d.example/hook'`);
		const response = await api("/accounts/acme");
		expect(await json(response)).toEqual({
			uid: "acme",
			name: "Acme Ltd",
			created_at: expect.any(String),
			database: "DB_1",
			endpoints: 4,
			health: { failing_endpoints: 1, deliveries_failed_24h: 0 },
			bursting: false,
			// No move runs (test/accounts/accountMove.test.ts follows one).
			moving_to: null,
			move: null,
		});
	});
});

describe("bursting", () => {
	it("is false for a quiet account and true, in the list and the account, for one over its fair rate in the last minute", async () => {
		await createAccount("quiet");
		await createAccount("noisy");
		for (let i = 0; i < 10; i++) await createEndpoint(`https://n${i}.example/hook`, { account: "noisy" });
		await ingest(fixture("ticket.created"), { account: "quiet" });
		await pastEvents(await accountIdOf("noisy"), 100);
		expect((await ingest(fixture("ticket.created"), { account: "noisy" })).queue.on("bulk")).toHaveLength(10);
		const listed = await json<{ accounts: { uid: string; bursting: boolean }[] }>(await api("/accounts"));
		expect(listed.accounts.map(({ uid, bursting }) => [uid, bursting])).toEqual([
			["default", false],
			["noisy", true],
			["quiet", false],
		]);
		expect(await json(await api("/accounts/noisy"))).toMatchObject({ uid: "noisy", bursting: true });
		expect(await json(await api("/accounts/quiet"))).toMatchObject({ uid: "quiet", bursting: false });
	});
});

describe("each account's own data", () => {
	it("ingests an account's events into its own endpoints only, checking the token before the uid", async () => {
		await createAccount("acme");
		await createEndpoint("https://default.example/hook");
		const acmeEndpoint = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const { response, queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		expect(response.status).toBe(202);
		expect(await response.json()).toMatchObject({ deliveries: 1 });
		expect(queue.messages.map((message) => message.endpointId)).toEqual([acmeEndpoint.id]);
		// A wrong token is 401 even for a uid that does not exist: uids cannot be probed.
		const probed = await ingest(fixture("ticket.created"), { headers: { authorization: "Bearer wrong" }, account: "nope" });
		expect(probed.response.status).toBe(401);
		const unknown = await ingest(fixture("ticket.created"), { account: "nope" });
		expect(unknown.response.status).toBe(404);
		expect(await unknown.response.json()).toMatchObject({ code: "not_found" });
		expect(await rowsEverywhere("SELECT id FROM events")).toHaveLength(1);
	});

	it("keeps Idempotency-Keys per account", async () => {
		await createAccount("acme");
		const body = fixture("ticket.created");
		const headers = { ...ingestHeaders, "idempotency-key": "k-1" };
		expect((await ingest(body, { headers })).response.status).toBe(202);
		expect((await ingest(body, { headers, account: "acme" })).response.status).toBe(202);
		expect((await ingest(body, { headers, account: "acme" })).response.status).toBe(200);
		expect(await rowsEverywhere("SELECT account_id FROM events")).toEqual([
			{ account_id: "acc_default" },
			{ account_id: expect.any(String) },
		]);
	});

	it("runs Update App per account, and lets two accounts register the same URL, each with its own endpoint and secret", async () => {
		await createAccount("acme");
		const mine = await createEndpoint("https://shared.example/hook");
		const response = await api("/accounts/acme/endpoints", {
			method: "PUT",
			body: { urls: "https://shared.example/hook, https://acme.example/hook" },
		});
		expect(response.status).toBe(200);
		const theirs = await json<{ endpoints: { id: string; url: string; secret?: string }[] }>(response);
		expect(theirs.endpoints.map((endpoint) => endpoint.url)).toEqual(["https://shared.example/hook", "https://acme.example/hook"]);
		expect(theirs.endpoints[0].id).not.toBe(mine.id);
		expect(theirs.endpoints[0].secret).not.toBe(mine.secret);
		// The default account's list is untouched, and a URL is still unique within one account.
		expect((await json<{ endpoints: unknown[] }>(await api("/endpoints"))).endpoints).toHaveLength(1);
		expect((await api("/accounts/acme/endpoints", { method: "POST", body: { url: "https://acme.example/hook" } })).status).toBe(409);
	});

	it("answers 404 with a JSON error for an unknown uid on every account route, storing nothing", async () => {
		for (const [path, method, body] of [
			["/accounts/nope/endpoints", "POST", { url: "https://a.example/hook" }],
			["/accounts/nope/endpoints", "PUT", { urls: "https://a.example/hook" }],
			["/accounts/nope/endpoints", "GET"],
			["/accounts/nope/deliveries", "GET"],
			["/accounts/nope/events", "GET"],
			["/accounts/nope/stats", "GET"],
			["/accounts/nope", "GET"],
			["/accounts/nope", "DELETE"],
			["/accounts/nope/sessions", "DELETE"],
			["/accounts/nope/admin-links", "POST", {}],
		] as const) {
			const response = await api(path, { method, body });
			expect(response.status, `${method} ${path}`).toBe(404);
			expect(await json(response)).toMatchObject({ code: "not_found" });
		}
		expect(await rowsEverywhere("SELECT id FROM endpoints")).toEqual([]);
		expect(await rows("SELECT token_hash FROM admin_links")).toEqual([]);
	});

	it("says how to create an unknown account only when its uid could be one", async () => {
		expect((await json<{ error: string }>(await api("/accounts/nope"))).error).toContain("Create it with PUT /api/accounts/{uid}.");
		const reserved = await json<{ error: string }>(await api("/accounts/_operator"));
		expect(reserved.error).not.toContain("Create it");
		expect(reserved.error).toContain("A uid is 1 to 64");
	});

	it(`refuses an account's endpoint past MAX_ENDPOINTS_PER_ACCOUNT (${env.MAX_ENDPOINTS_PER_ACCOUNT}) with 422; the default account has no limit`, async () => {
		await createAccount("acme");
		const limit = Number(env.MAX_ENDPOINTS_PER_ACCOUNT);
		const urls = Array.from({ length: limit }, (_, i) => `https://r${i}.example/hook`);
		expect((await api("/accounts/acme/endpoints", { method: "PUT", body: { urls: urls.join(" ") } })).status).toBe(200);
		const over = await api("/accounts/acme/endpoints", { method: "POST", body: { url: "https://one-more.example/hook" } });
		expect(over.status).toBe(422);
		expect(await json(over)).toMatchObject({ code: "endpoint_limit" });
		const overByUpdate = await api("/accounts/acme/endpoints", {
			method: "PUT",
			body: { urls: `${urls.join(" ")} https://one-more.example/hook` },
		});
		expect(overByUpdate.status).toBe(422);
		expect(await json(overByUpdate)).toMatchObject({
			code: "endpoint_limit",
			fields: { urls: `${limit + 1} URLs, more than the ${limit} endpoints an account can have (MAX_ENDPOINTS_PER_ACCOUNT)` },
		});
		expect((await api("/endpoints", { method: "PUT", body: { urls: `${urls.join(" ")} https://one-more.example/hook` } })).status).toBe(
			200,
		);
	});
});

describe("DELETE /api/accounts/{uid}", () => {
	it("refuses the default account with 409", async () => {
		const response = await api("/accounts/default", { method: "DELETE" });
		expect(response.status).toBe(409);
		expect(await json(response)).toMatchObject({ code: "account_protected" });
	});

	it("deletes the account at once, purges its data in the cron, and a re-created uid starts empty", async () => {
		await createAccount("acme", "Acme Ltd");
		const endpoint = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		const [{ deliveryId }] = queue.messages;
		expect((await api("/accounts/acme", { method: "DELETE" })).status).toBe(204);

		// Its unfinished deliveries are cancelled, and every route of the uid answers 404.
		expect(await rowsEverywhere("SELECT status FROM deliveries WHERE id = ?", deliveryId)).toEqual([{ status: "cancelled" }]);
		for (const path of [
			"/accounts/acme",
			"/accounts/acme/endpoints",
			`/accounts/acme/endpoints/${endpoint.id}`,
			`/accounts/acme/deliveries/${deliveryId}`,
		]) {
			expect((await api(path)).status, path).toBe(404);
		}
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(404);

		// Created again: a new, empty account.
		await createAccount("acme");
		expect((await json<{ endpoints: unknown[] }>(await api("/accounts/acme/endpoints"))).endpoints).toEqual([]);
		expect((await json<{ events: unknown[] }>(await api("/accounts/acme/events"))).events).toEqual([]);
		expect((await json<{ deliveries: unknown[] }>(await api("/accounts/acme/deliveries"))).deliveries).toEqual([]);
		expect((await api(`/accounts/acme/endpoints/${endpoint.id}`)).status).toBe(404);

		// Ingest takes it at once, in the new account.
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(202);
		expect((await json<{ events: unknown[] }>(await api("/accounts/acme/events"))).events).toHaveLength(1);

		// Once ingest elsewhere no longer trusts the deleted one, the cron purges what it left, then its row
		// (test/cron.test.ts: every table, in bounded runs).
		await pastRecentAccounts();
		await runScheduled();
		expect(await rows("SELECT count(*) AS n FROM accounts WHERE uid = 'acme'")).toEqual([{ n: 1 }]);
		const directory = (await rows<{ id: string }>("SELECT id FROM accounts")).map((row) => row.id);
		for (const table of ["events", "deliveries", "attempts", "endpoints", "audit_log"]) {
			const orphans = (await rowsEverywhere<{ account_id: string }>(`SELECT account_id FROM ${table}`)).filter(
				(row) => !directory.includes(row.account_id),
			);
			expect(orphans, table).toEqual([]);
		}
	});
});
