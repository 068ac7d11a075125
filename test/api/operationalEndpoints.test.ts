/**
 * /api/operational-endpoints: the operator's own endpoints for operational
 * messages (routes and validation), kept in the operator's account, which no
 * list, path or portal reaches; and the accounts list's `q` search.
 */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { createAccount, rows } from "../helpers/worker";

interface OperationalEndpoint {
	id: string;
	url: string;
	events: string[];
	enabled: boolean;
	secret?: string;
	created_at: string;
	updated_at: string;
}

async function register(body: unknown) {
	return api("/operational-endpoints", { method: "POST", body });
}

describe("/api/operational-endpoints", () => {
	it("registers an endpoint for every message type (201, whsec_ secret once), in the operator's account in DB", async () => {
		const response = await register({ url: "https://ops.example/hook" });
		expect(response.status).toBe(201);
		const created = await json<OperationalEndpoint>(response);
		expect(created).toMatchObject({ id: expect.stringMatching(/^ep_/), url: "https://ops.example/hook", events: ["*"], enabled: true });
		expect(created.secret).toMatch(/^whsec_/);
		expect(created.created_at).toMatch(/^\d{4}-/);
		expect(created.updated_at).toBe(created.created_at);
		expect(await rows("SELECT account_id FROM endpoints WHERE id = ?", created.id)).toEqual([{ account_id: "acc_operator" }]);
		const listed = await json<{ endpoints: OperationalEndpoint[] }>(await api("/operational-endpoints"));
		expect(listed.endpoints).toEqual([{ ...created, secret: undefined }]);
		expect(listed.endpoints[0]).not.toHaveProperty("secret");
		expect(await json(await api(`/operational-endpoints/${created.id}`))).toEqual(listed.endpoints[0]);
	});

	it("filters by the operational message types only: a ticket event or an unknown type is a 422 naming the field", async () => {
		const kept = await json<OperationalEndpoint>(
			await register({ url: "https://ops.example/a", events: ["endpoint.failing", "delivery.failed"] }),
		);
		expect(kept.events).toEqual(["endpoint.failing", "delivery.failed"]);
		for (const events of [["ticket.created"], ["endpoint.melted"], []]) {
			const response = await register({ url: "https://ops.example/b", events });
			expect(response.status).toBe(422);
			expect(await json(response)).toMatchObject({
				code: "validation_failed",
				fields: { [events.length ? "events.0" : "events"]: expect.any(String) },
			});
		}
		expect(await rows("SELECT url FROM endpoints")).toEqual([{ url: "https://ops.example/a" }]);
	});

	it("checks the destination like any endpoint's, and refuses a URL it already has", async () => {
		const refused = await register({ url: "http://127.0.0.1/hook" });
		expect(refused.status).toBe(422);
		expect(await json(refused)).toMatchObject({ code: "destination_refused" });
		await register({ url: "https://ops.example/hook" });
		expect(await json(await register({ url: "https://ops.example/hook" }))).toMatchObject({ code: "url_taken" });
	});

	it("edits (200), rotates the secret, and deletes (204); another account's endpoint id is a 404 here", async () => {
		const created = await json<OperationalEndpoint>(await register({ url: "https://ops.example/hook" }));
		const edited = await api(`/operational-endpoints/${created.id}`, {
			method: "PATCH",
			body: { url: "https://ops.example/other", events: ["endpoint.disabled"], enabled: false },
		});
		expect(edited.status).toBe(200);
		expect(await json(edited)).toMatchObject({ url: "https://ops.example/other", events: ["endpoint.disabled"], enabled: false });
		const rotated = await json<{ secret: string }>(await api(`/operational-endpoints/${created.id}/rotate-secret`, { method: "POST" }));
		expect(rotated.secret).toMatch(/^whsec_/);
		expect(rotated.secret).not.toBe(created.secret);
		const ticketEndpoint = await json<{ id: string }>(await api("/endpoints", { method: "POST", body: { url: "https://a.example/hook" } }));
		expect((await api(`/operational-endpoints/${ticketEndpoint.id}`)).status).toBe(404);
		expect((await api(`/operational-endpoints/${created.id}`, { method: "DELETE" })).status).toBe(204);
		expect((await api(`/operational-endpoints/${created.id}`)).status).toBe(404);
		expect(await json(await api("/operational-endpoints"))).toEqual({ endpoints: [] });
	});

	it("are not among an account's endpoints, and the default account's are not among them", async () => {
		await register({ url: "https://ops.example/hook" });
		await api("/endpoints", { method: "POST", body: { url: "https://a.example/hook" } });
		expect((await json<{ endpoints: { url: string }[] }>(await api("/endpoints"))).endpoints.map((e) => e.url)).toEqual([
			"https://a.example/hook",
		]);
		expect((await json<{ endpoints: { url: string }[] }>(await api("/operational-endpoints"))).endpoints.map((e) => e.url)).toEqual([
			"https://ops.example/hook",
		]);
	});
});

describe("the operator's account", () => {
	it("never appears in GET /api/accounts, and no account route or portal link reaches it", async () => {
		await createAccount("acme");
		const listed = await json<{ accounts: { uid: string }[] }>(await api("/accounts"));
		expect(listed.accounts.map((account) => account.uid)).toEqual(["acme", "default"]);
		expect((await json<{ accounts: unknown[] }>(await api("/accounts?prefix=_"))).accounts).toEqual([]);
		expect((await json<{ accounts: unknown[] }>(await api("/accounts?q=operat"))).accounts).toEqual([]);
		for (const path of ["/accounts/_operator", "/accounts/_operator/endpoints", "/accounts/_operator/stats"]) {
			expect((await api(path)).status).toBe(404);
		}
		expect((await api("/accounts/_operator/admin-links", { method: "POST", body: {} })).status).toBe(404);
		expect((await api("/accounts/_operator", { method: "DELETE" })).status).toBe(404);
		expect((await api("/accounts/_operator", { method: "PUT", body: {} })).status).toBe(422);
		expect(await rows("SELECT uid, deleted_at FROM accounts WHERE id = 'acc_operator'")).toEqual([{ uid: "_operator", deleted_at: null }]);
	});
});

describe("GET /api/accounts?q=", () => {
	it("finds accounts whose uid or name contains q, whatever the case of its letters; prefix keeps its exact meaning", async () => {
		await createAccount("acme-eu", "Acme Europe");
		await createAccount("globex", "Globex ACME Partner");
		await createAccount("initech", "Initech");
		const found = async (query: string) =>
			(await json<{ accounts: { uid: string }[] }>(await api(`/accounts?${query}`))).accounts.map((account) => account.uid);
		expect(await found("q=AcMe")).toEqual(["acme-eu", "globex"]);
		expect(await found("q=europe")).toEqual(["acme-eu"]);
		expect(await found("q=acme&prefix=glob")).toEqual(["globex"]);
		expect(await found("prefix=Acme")).toEqual([]);
		expect(await found("q=nothing")).toEqual([]);
	});

	it("refuses a q longer than 100 characters with a 422 naming it", async () => {
		const response = await api(`/accounts?q=${"a".repeat(101)}`);
		expect(response.status).toBe(422);
		expect(await json(response)).toMatchObject({ code: "validation_failed", fields: { q: expect.stringContaining("100") } });
	});
});
