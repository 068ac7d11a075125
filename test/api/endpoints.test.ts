import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_LIST_LIMIT } from "../../src/endpoints/endpointChanges";
import type { EndpointView } from "../../src/endpoints/endpointResponses";
import { MAX_URL_LENGTH } from "../../src/security/destination";
import { api } from "../helpers/api";
import { createEndpoint, fixture, ingest, operatorHeaders, request, rows } from "../helpers/worker";

type Endpoint = EndpointView;

async function list(): Promise<Endpoint[]> {
	return ((await (await api("/endpoints")).json()) as { endpoints: Endpoint[] }).endpoints;
}

describe("admin API authentication", () => {
	for (const [name, headers] of [
		["no token", { "content-type": "application/json" }],
		["a wrong token", { authorization: "Bearer wrong", "content-type": "application/json" }],
		["the ingest token", { authorization: `Bearer ${env.INGEST_TOKEN}`, "content-type": "application/json" }],
	] as const) {
		it(`answers 401 to ${name}`, async () => {
			const response = await api("/endpoints", { method: "POST", body: { url: "https://a.example/hook" }, headers });
			expect(response.status).toBe(401);
			expect(((await response.json()) as { error: string }).error).toMatch(/admin token/);
			expect(await rows("SELECT id FROM endpoints")).toEqual([]);
		});
	}

	it("fails closed with 503 naming ADMIN_TOKEN when it is not set", async () => {
		const { response } = await request("/api/endpoints", { headers: operatorHeaders }, { env: { ADMIN_TOKEN: undefined } });
		expect(response.status).toBe(503);
		expect(((await response.json()) as { error: string }).error).toMatch(/ADMIN_TOKEN is not set/);
	});
});

describe("POST /api/endpoints", () => {
	it("creates an endpoint for all events with its own whsec_ secret, shown only here", async () => {
		const response = await api("/endpoints", { method: "POST", body: { url: "HTTPS://Receiver.Example:443/hook" } });
		expect(response.status).toBe(201);
		const created = (await response.json()) as Endpoint;
		expect(created).toMatchObject({
			id: expect.stringMatching(/^ep_/),
			url: "https://receiver.example/hook",
			events: ["*"],
			enabled: true,
		});
		expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		expect(atob(created.secret?.slice(6) ?? "")).toHaveLength(32);
		const [listed] = await list();
		expect(listed).toEqual({ ...created, secret: undefined });
		expect(listed).not.toHaveProperty("secret");
	});

	it("keeps a chosen subset of events", async () => {
		const created = await createEndpoint("https://a.example/hook", { events: ["ticket.created", "ticket.created", "comment.created"] });
		expect((created as unknown as Endpoint).events).toEqual(["ticket.created", "comment.created"]);
	});

	it("gives every endpoint a different secret", async () => {
		const a = await createEndpoint("https://a.example/hook");
		const b = await createEndpoint("https://b.example/hook");
		expect(a.secret).not.toBe(b.secret);
	});

	const invalid: { name: string; body: unknown; status: number; field: string }[] = [
		{ name: "no url", body: {}, status: 400, field: "url" },
		{ name: "a url that is not a string", body: { url: 42 }, status: 422, field: "url" },
		{ name: "a relative url", body: { url: "/hook" }, status: 422, field: "url" },
		{ name: "an ftp url", body: { url: "ftp://a.example/hook" }, status: 422, field: "url" },
		{ name: "credentials in the url", body: { url: "https://user:pw@a.example/hook" }, status: 422, field: "url" },
		{ name: "an empty event list", body: { url: "https://a.example/hook", events: [] }, status: 422, field: "events" },
		{ name: "an unknown event", body: { url: "https://a.example/hook", events: ["ticket.melted"] }, status: 422, field: "events.0" },
	];
	for (const testCase of invalid) {
		it(`answers ${testCase.status} naming the field for ${testCase.name}`, async () => {
			const response = await api("/endpoints", { method: "POST", body: testCase.body });
			expect(response.status).toBe(testCase.status);
			const error = (await response.json()) as { error: string; fields: Record<string, string> };
			expect(error.fields).toHaveProperty([testCase.field]);
			expect(await rows("SELECT id FROM endpoints")).toEqual([]);
		});
	}

	it("names a URL over the length limit by its start, not echoing all of it twice", async () => {
		const url = `https://a.example/${"a".repeat(MAX_URL_LENGTH)}`;
		const response = await api("/endpoints", { method: "POST", body: { url } });
		expect(response.status).toBe(422);
		const text = await response.text();
		expect(text.length).toBeLessThan(1000);
		const { fields } = JSON.parse(text) as { fields: Record<string, string> };
		expect(fields.url).toBe(`${url.slice(0, 100)}… is longer than ${MAX_URL_LENGTH} characters`);
	});

	it("says which event types there are when one in the list is unknown", async () => {
		const response = await api("/endpoints", { method: "POST", body: { url: "https://a.example/hook", events: ["ticket.melted"] } });
		expect(response.status).toBe(422);
		const { fields } = (await response.json()) as { fields: Record<string, string> };
		expect(fields["events.0"]).toMatch(/^must be one of ticket\.created, .*ticket\.unarchived, or "\*" for all$/);
	});

	it("answers 400 to malformed JSON", async () => {
		const { response } = await request("/api/endpoints", { method: "POST", headers: operatorHeaders, body: "{nope" });
		expect(response.status).toBe(400);
		expect(((await response.json()) as { error: string }).error).toMatch(/not valid JSON/);
	});

	it("answers 409 to a URL already registered, in any spelling", async () => {
		await createEndpoint("https://a.example/hook");
		const response = await api("/endpoints", { method: "POST", body: { url: "https://A.EXAMPLE/hook" } });
		expect(response.status).toBe(409);
		expect(await list()).toHaveLength(1);
	});
});

describe("DELETE /api/endpoints/:id", () => {
	it("deletes the endpoint, cancels its unfinished deliveries and keeps their history", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		expect((await api(`/endpoints/${endpoint.id}`, { method: "DELETE" })).status).toBe(204);
		expect(await list()).toEqual([]);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "cancelled" }]);
		const { response } = await ingest(fixture("ticket.created"));
		expect(((await response.json()) as { deliveries: number }).deliveries).toBe(0);
	});

	it("answers 404 to an unknown or already deleted id", async () => {
		expect((await api("/endpoints/ep_missing", { method: "DELETE" })).status).toBe(404);
		const endpoint = await createEndpoint("https://a.example/hook");
		await api(`/endpoints/${endpoint.id}`, { method: "DELETE" });
		const again = await api(`/endpoints/${endpoint.id}`, { method: "DELETE" });
		expect(again.status).toBe(404);
		expect(((await again.json()) as { error: string }).error).toContain(endpoint.id);
	});

	it("lets a deleted URL be registered again as a new endpoint", async () => {
		const first = await createEndpoint("https://a.example/hook");
		await api(`/endpoints/${first.id}`, { method: "DELETE" });
		const second = await createEndpoint("https://a.example/hook");
		expect(second.id).not.toBe(first.id);
	});
});

describe("PUT /api/endpoints (SupportBee's Update App)", () => {
	it("adds the new URLs, keeps the unchanged ones with their id, events and secret, deletes the removed", async () => {
		const kept = await createEndpoint("https://keep.example/hook", { events: ["ticket.created"] });
		const removed = await createEndpoint("https://remove.example/hook");
		await ingest(fixture("ticket.created"));
		const response = await api("/endpoints", {
			method: "PUT",
			body: {
				urls: " https://KEEP.example/hook ,\nhttps://new-1.example/a;https://new-2.example/b  https://new-1.example/a",
			},
		});
		expect(response.status).toBe(200);
		const { endpoints } = (await response.json()) as { endpoints: Endpoint[] };
		expect(endpoints.map((e) => e.url)).toEqual(["https://keep.example/hook", "https://new-1.example/a", "https://new-2.example/b"]);
		expect(endpoints[0]).toMatchObject({ id: kept.id, events: ["ticket.created"] });
		expect(endpoints[0]).not.toHaveProperty("secret");
		expect(endpoints[1].secret).toMatch(/^whsec_/);
		expect(endpoints[2].secret).toMatch(/^whsec_/);
		const [secretRow] = await rows<{ secret: string }>("SELECT secret FROM endpoints WHERE id = ?", kept.id);
		expect(secretRow.secret).toBe(kept.secret);
		expect((await list()).map((e) => e.id)).not.toContain(removed.id);
		expect(await rows("SELECT status FROM deliveries WHERE endpoint_id = ?", removed.id)).toEqual([{ status: "cancelled" }]);
		expect(await rows("SELECT status FROM deliveries WHERE endpoint_id = ?", kept.id)).toEqual([{ status: "new" }]);
	});

	it("changes nothing and names the bad URL when any URL is invalid", async () => {
		await createEndpoint("https://keep.example/hook");
		const before = await list();
		const response = await api("/endpoints", {
			method: "PUT",
			body: { urls: "https://new.example/a, not-a-url, https://other.example/b" },
		});
		expect(response.status).toBe(422);
		const error = (await response.json()) as { error: string; fields: Record<string, string> };
		expect(error.error).toContain("not-a-url");
		expect(error.fields).toHaveProperty(["urls[1]"]);
		expect(await list()).toEqual(before);
	});

	it("removes every endpoint when the list is empty", async () => {
		await createEndpoint("https://a.example/hook");
		const response = await api("/endpoints", { method: "PUT", body: { urls: "  " } });
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ endpoints: [] });
		expect(await list()).toEqual([]);
	});

	it("keeps a URL whose query holds a comma through an Update App of the list as shown", async () => {
		const created = await createEndpoint("https://a.example/hook?ids=1,2");
		expect(created.url).toBe("https://a.example/hook?ids=1,2");
		const other = await createEndpoint("https://b.example/x");
		// The text the Web Hooks box shows: the URLs joined by ", ".
		const shown = (await list()).map((e) => e.url).join(", ");
		expect(shown).toBe("https://a.example/hook?ids=1,2, https://b.example/x");
		const response = await api("/endpoints", { method: "PUT", body: { urls: shown } });
		expect(response.status).toBe(200);
		const { endpoints } = (await response.json()) as { endpoints: Endpoint[] };
		expect(endpoints.map((e) => [e.id, e.url])).toEqual([
			[created.id, "https://a.example/hook?ids=1,2"],
			[other.id, "https://b.example/x"],
		]);
	});

	it("splits a mixed list on spaces, semicolons and the commas before a URL", async () => {
		const kept = await createEndpoint("https://a.example/hook?ids=1,2");
		const response = await api("/endpoints", {
			method: "PUT",
			body: {
				urls: "https://a.example/hook?ids=1,2,https://b.example/x;https://c.example/?t=a,b  HTTPS://d.example/y ,\nhttps://e.example/z",
			},
		});
		expect(response.status).toBe(200);
		const { endpoints } = (await response.json()) as { endpoints: Endpoint[] };
		expect(endpoints.map((e) => e.url)).toEqual([
			"https://a.example/hook?ids=1,2",
			"https://b.example/x",
			"https://c.example/?t=a,b",
			"https://d.example/y",
			"https://e.example/z",
		]);
		expect(endpoints[0].id).toBe(kept.id);
	});

	it(`refuses a list of more than ${DEFAULT_ACCOUNT_LIST_LIMIT} URLs with 422 naming urls, before parsing any of them`, async () => {
		await createEndpoint("https://keep.example/hook");
		const before = await list();
		// The first URL is not one: the length is refused before it is looked at.
		const urls = ["not-a-url", ...Array.from({ length: DEFAULT_ACCOUNT_LIST_LIMIT }, (_, i) => `https://r${i}.example/hook`)];
		const response = await api("/endpoints", { method: "PUT", body: { urls: urls.join(", ") } });
		expect(response.status).toBe(422);
		expect(await response.json()).toMatchObject({
			code: "endpoint_limit",
			fields: {
				urls: `${DEFAULT_ACCOUNT_LIST_LIMIT + 1} URLs, more than the ${DEFAULT_ACCOUNT_LIST_LIMIT} Update App takes for the default account`,
			},
		});
		expect(await list()).toEqual(before);
		// Repeats of the same text count once.
		const repeated = await api("/endpoints", {
			method: "PUT",
			body: {
				urls: Array(DEFAULT_ACCOUNT_LIST_LIMIT + 1)
					.fill("https://keep.example/hook")
					.join(" "),
			},
		});
		expect(repeated.status).toBe(200);
	});

	it("answers a list of 200,000 commas, and refuses one of 10,000 URLs, each within a second", async () => {
		const commas = `https://a.example/hook${",".repeat(200_000)}`;
		let started = Date.now();
		const answered = await api("/endpoints", { method: "PUT", body: { urls: commas } });
		expect(Date.now() - started).toBeLessThan(1000);
		expect(answered.status).toBe(200);
		expect((await list()).map((e) => e.url)).toEqual(["https://a.example/hook"]);
		const many = Array.from({ length: 10_000 }, (_, i) => `https://${i}.example`).join(",");
		started = Date.now();
		const refused = await api("/endpoints", { method: "PUT", body: { urls: many } });
		expect(Date.now() - started).toBeLessThan(1000);
		expect(refused.status).toBe(422);
		expect(await refused.json()).toMatchObject({ code: "endpoint_limit" });
	});

	it("answers 400 without a urls member", async () => {
		const response = await api("/endpoints", { method: "PUT", body: { url: "https://a.example/hook" } });
		expect(response.status).toBe(400);
		expect(((await response.json()) as { fields: Record<string, string> }).fields).toEqual({ urls: "required" });
	});
});

it("answers unknown routes with the JSON error shape, pointing to the routes; an unknown page with a page's words", async () => {
	const response = await api("/endpoints/ep_1/unknown");
	expect(response.status).toBe(404);
	expect(await response.json()).toEqual({ error: expect.stringContaining("docs/api.md"), code: "not_found" });
	const { response: missingPage } = await request("/admin/no-such-page", { headers: operatorHeaders });
	expect(missingPage.status).toBe(404);
	const html = await missingPage.text();
	expect(html).toContain("No such page.");
	expect(html).not.toContain("docs/api.md");
});
