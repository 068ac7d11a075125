import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { ORIGIN, page, submit, pageWords as words } from "../helpers/pages";
import { createAccount, createEndpoint, fixture, ingest, rows, rowsEverywhere, runConsumer, stubDestination } from "../helpers/worker";

async function html(path: string): Promise<string> {
	const response = await page(path);
	expect(response.status).toBe(200);
	return response.text();
}

describe("the Web Hooks box (SupportBee's Update App)", () => {
	it("submits its own text unchanged when a URL's query holds a comma", async () => {
		const endpoint = await createEndpoint("https://a.example/hook?ids=1,2");
		const other = await createEndpoint("https://b.example/x");
		const shown = /<textarea id="urls"[^>]*>([^<]*)<\/textarea>/.exec(await html("/admin"))?.[1].trim();
		expect(shown).toBe("https://a.example/hook?ids=1,2, https://b.example/x");
		const response = await submit("/admin/webhooks", { urls: shown ?? "" });
		expect(response.status).toBe(303);
		expect(await rows("SELECT id, url FROM endpoints WHERE deleted_at IS NULL ORDER BY created_at, rowid")).toEqual([
			{ id: endpoint.id, url: "https://a.example/hook?ids=1,2" },
			{ id: other.id, url: "https://b.example/x" },
		]);
	});

	it("starts empty and says what to do", async () => {
		expect(await html("/admin")).toContain("No endpoints yet: paste URLs below and press Update App.");
	});

	it("adds the new URLs, keeps the unchanged ones with their secrets, and deletes the removed ones once confirmed", async () => {
		const kept = await createEndpoint("https://keep.example/hook");
		const removed = await createEndpoint("https://remove.example/hook");
		const urls = "https://keep.example/hook, https://z.example/hook, https://new.example/hook";
		// First it asks, naming what goes (never a secret), and changes nothing.
		const asked = await submit("/admin/webhooks", { urls });
		expect(asked.status).toBe(200);
		const question = await asked.text();
		expect(question).toContain("Delete 1 endpoint?");
		expect(question).toContain("https://remove.example/hook");
		expect(question).toContain("signing secrets, custom headers and event filters are deleted with them");
		expect(question).not.toContain(removed.secret);
		expect(question).toContain(`name="urls" value="${urls}"`);
		expect(await rows("SELECT count(*) AS n FROM endpoints WHERE deleted_at IS NULL")).toEqual([{ n: 2 }]);
		const response = await submit("/admin/webhooks", { urls, confirm: "yes" });
		expect(response.status).toBe(303);
		expect(response.headers.get("location")).toBe("/admin?notice=webhooks-updated#endpoints");
		expect(await rows("SELECT id, url, secret FROM endpoints WHERE deleted_at IS NULL ORDER BY created_at, rowid")).toEqual([
			{ id: kept.id, url: "https://keep.example/hook", secret: kept.secret },
			expect.objectContaining({ url: "https://z.example/hook" }),
			expect.objectContaining({ url: "https://new.example/hook" }),
		]);
		expect(await rows("SELECT deleted_at IS NOT NULL AS deleted FROM endpoints WHERE id = ?", removed.id)).toEqual([{ deleted: 1 }]);
		const home = await html("/admin?notice=webhooks-updated");
		expect(home).toContain("Saved: the endpoints now match the list.");
		expect(home).toContain(">https://keep.example/hook, https://z.example/hook, https://new.example/hook</textarea>");
	});

	it("shows which URL is wrong and why, keeps what was typed, and changes nothing", async () => {
		await createEndpoint("https://keep.example/hook");
		const typed = "https://keep.example/hook, ftp://files.example/x, https://new.example/hook";
		const response = await submit("/admin/webhooks", { urls: typed });
		expect(response.status).toBe(422);
		const text = await response.text();
		expect(text).toContain(`>${typed}</textarea>`);
		expect(text).toMatch(/ftp:\/\/files\.example\/x[^<]*http/);
		expect(await rows("SELECT url FROM endpoints")).toEqual([{ url: "https://keep.example/hook" }]);
	});

	it("refuses a list longer than the account may have before looking at its URLs, keeping what was typed", async () => {
		await createAccount("acme");
		const limit = Number(env.MAX_ENDPOINTS_PER_ACCOUNT);
		const typed = ["ftp://files.example/x", ...Array.from({ length: limit }, (_, i) => `https://r${i}.example/hook`)].join(", ");
		const response = await submit("/admin/accounts/acme/webhooks", { urls: typed });
		expect(response.status).toBe(422);
		const text = await response.text();
		expect(text).toContain(`${limit + 1} URLs, more than the ${limit} endpoints an account can have`);
		expect(text).not.toContain("ftp://files.example/x is");
		expect(text).toContain(`>${typed}</textarea>`);
		expect(await rowsEverywhere("SELECT url FROM endpoints")).toEqual([]);
	});
});

describe("escaping", () => {
	it("escapes hostile input echoed back in an error", async () => {
		const response = await submit("/admin/webhooks", { urls: "<script>alert(1)</script>" });
		const text = await response.text();
		expect(text).not.toContain("<script>");
		expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
	});

	it("escapes response bodies captured from destinations and event payloads", async () => {
		await createEndpoint("https://a.example/hook");
		stubDestination(() => new Response("<script>alert('body')</script>", { status: 500 }));
		const hostile = fixture("ticket.created").replace("Invoice #1042 charged twice", "<script>alert('subject')</script>");
		const { queue } = await ingest(hostile);
		const [id] = queue.messages.map((m) => m.deliveryId);
		await runConsumer([id]);
		const text = await html(`/admin/deliveries/${id}`);
		expect(text).not.toContain("<script>");
		expect(text).toContain("&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;");
		expect(text).toContain("&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;");
	});
});

describe("an endpoint's page", () => {
	it("hides the secret until Reveal, whose answer is not cached; Rotate shows the new one", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		expect(await html(`/admin/endpoints/${endpoint.id}`)).not.toContain(endpoint.secret);
		const revealed = await submit(`/admin/endpoints/${endpoint.id}/secret`, {});
		expect(revealed.status).toBe(200);
		expect(revealed.headers.get("cache-control")).toBe("no-store");
		expect(await revealed.text()).toContain(endpoint.secret);
		// Rotate asks first and changes nothing until confirmed.
		const asked = await submit(`/admin/endpoints/${endpoint.id}/rotate-secret`, {});
		expect(asked.status).toBe(200);
		expect(await asked.text()).toContain("Rotate the signing secret?");
		expect(await rows("SELECT secret FROM endpoints")).toEqual([{ secret: endpoint.secret }]);
		// Confirmed: 303 to the page, which shows the new secret once (a reload does not rotate again, nor show it).
		const rotated = await submit(`/admin/endpoints/${endpoint.id}/rotate-secret`, { confirm: "yes" });
		expect(rotated.status).toBe(303);
		expect(rotated.headers.get("location")).toBe(`/admin/endpoints/${endpoint.id}?notice=secret-rotated#secret`);
		const reveal = /hivepost_reveal=[^;]+/.exec(rotated.headers.get("set-cookie") ?? "")?.[0] ?? "";
		expect(reveal).toBe(`hivepost_reveal=${endpoint.id}`);
		const [row] = await rows<{ secret: string }>("SELECT secret FROM endpoints");
		expect(row.secret).not.toBe(endpoint.secret);
		const once = await page(`/admin/endpoints/${endpoint.id}?notice=secret-rotated`, {
			headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, cookie: reveal },
		});
		expect(once.headers.get("cache-control")).toBe("no-store");
		expect(once.headers.get("set-cookie")).toMatch(/hivepost_reveal=;.*Max-Age=0/);
		const shown = await once.text();
		expect(shown).toContain(row.secret);
		expect(shown).toContain("New secret below, shown this once.");
		expect(shown).toContain("Secrets replaced in the last 24 hours also sign every delivery");
		const reloaded = await html(`/admin/endpoints/${endpoint.id}?notice=secret-rotated`);
		expect(reloaded).not.toContain(row.secret);
		// The reload's notice does not promise a secret it no longer shows.
		expect(reloaded).not.toContain("New secret below");
		expect(reloaded).toContain("the new one was shown once, on the first view of this page. Reveal shows it again.");
		expect(await rows("SELECT secret FROM endpoints")).toEqual([{ secret: row.secret }]);
	});

	it("edits URL and events; an invalid URL keeps what was typed and changes nothing", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const saved = await submit(`/admin/endpoints/${endpoint.id}/settings`, {
			url: "https://b.example/hook",
			events_mode: "some",
			events: ["ticket.created", "comment.created"],
		});
		expect(saved.status).toBe(303);
		expect(await rows("SELECT url, events FROM endpoints")).toEqual([
			{ url: "https://b.example/hook", events: '["ticket.created","comment.created"]' },
		]);
		const refused = await submit(`/admin/endpoints/${endpoint.id}/settings`, { url: "http://localhost:9/x", events_mode: "all" });
		expect(refused.status).toBe(422);
		expect(await refused.text()).toContain('value="http://localhost:9/x"');
		const none = await submit(`/admin/endpoints/${endpoint.id}/settings`, { url: "https://b.example/hook", events_mode: "some" });
		expect(none.status).toBe(422);
		expect(await none.text()).toContain("Choose at least one event type");
		expect(await rows("SELECT url, events FROM endpoints")).toEqual([
			{ url: "https://b.example/hook", events: '["ticket.created","comment.created"]' },
		]);
	});

	it("sets and removes custom headers, showing only a hint of the value", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const set = await submit(`/admin/endpoints/${endpoint.id}/headers`, { name: "Authorization", value: "Bearer receiver-token-9876" });
		expect(set.status).toBe(303);
		const text = await html(`/admin/endpoints/${endpoint.id}`);
		expect(text).toContain("••••9876");
		expect(text).not.toContain("receiver-token");
		expect((await submit(`/admin/endpoints/${endpoint.id}/headers`, { name: "Host", value: "x" })).status).toBe(422);
		const asked = await submit(`/admin/endpoints/${endpoint.id}/headers/remove`, { name: "authorization" });
		expect(asked.status).toBe(200);
		expect(await asked.text()).toContain("Remove the header authorization?");
		expect(await rows("SELECT headers FROM endpoints")).not.toEqual([{ headers: "{}" }]);
		const removed = await submit(`/admin/endpoints/${endpoint.id}/headers/remove`, { name: "authorization", confirm: "yes" });
		expect(removed.status).toBe(303);
		expect(await rows("SELECT headers FROM endpoints")).toEqual([{ headers: "{}" }]);
	});

	it("refuses a custom header value outside visible ASCII, space and tab, storing nothing", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		for (const value of ["café", "a\u0001b"]) {
			const response = await submit(`/admin/endpoints/${endpoint.id}/headers`, { name: "X-Token", value });
			expect(response.status).toBe(422);
			const text = await response.text();
			expect(text).toContain("Header values can only use visible ASCII characters, spaces and tabs. Type the value again.");
			expect(text).not.toContain("headers.X-Token");
		}
		expect(await rows("SELECT headers FROM endpoints")).toEqual([{ headers: "{}" }]);
	});

	it("disables (once confirmed) and enables from the table", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		expect((await submit(`/admin/endpoints/${endpoint.id}/toggle`, { enabled: "false" })).status).toBe(200);
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 1 }]);
		const off = await submit(`/admin/endpoints/${endpoint.id}/toggle`, { enabled: "false", confirm: "yes" });
		expect(off.headers.get("location")).toBe("/admin?notice=disabled#endpoints");
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);
		expect(await html("/admin")).toContain(">Enable</button>");
		await submit(`/admin/endpoints/${endpoint.id}/toggle`, { enabled: "true", back: "endpoint" });
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 1 }]);
	});

	it("sends a test event and lands on its delivery", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const response = await submit(`/admin/endpoints/${endpoint.id}/test`, { action_type: "ticket.spammed" });
		expect(response.status).toBe(303);
		const location = response.headers.get("location") ?? "";
		expect(location).toMatch(/^\/admin\/deliveries\/dlv_[0-9a-f]+\?notice=test-sent#attempts$/);
		const text = await html(location);
		expect(text).toContain("Test event sent");
		expect(text).toContain("ticket.spammed");
		expect(text).toContain("test event");
	});

	it("resends everything since a time typed in the form (UTC): first how many, then the resend", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		await rows("UPDATE deliveries SET status = 'failed', attempt_count = 4");
		const since = new Date(Date.now() - 60 * 60 * 1000).toISOString().slice(0, 16);
		const asked = await submit(`/admin/endpoints/${endpoint.id}/resend`, { since });
		expect(asked.status).toBe(200);
		expect(await asked.text()).toContain("Resend 1 delivery?");
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "failed" }]);
		const response = await submit(`/admin/endpoints/${endpoint.id}/resend`, { since: `${since}:00.000Z`, confirm: "yes" });
		expect(response.headers.get("location")).toBe(`/admin/endpoints/${endpoint.id}?notice=resent&count=1#resend`);
		expect(await rows("SELECT status, attempt_count FROM deliveries")).toEqual([{ status: "pending", attempt_count: 0 }]);
		expect(await html(`/admin/endpoints/${endpoint.id}?notice=resent&count=1`)).toContain("1 delivery is on its way again.");
	});

	it("answers 404 with a page for an unknown endpoint", async () => {
		const response = await page("/admin/endpoints/ep_missing");
		expect(response.status).toBe(404);
		expect(await response.text()).toContain("No endpoint with id ep_missing");
	});
});

describe("the delivery log", () => {
	it("lists deliveries, filters them, and explains an empty result", async () => {
		await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		await ingest(fixture("comment.created"));
		const all = await html("/admin/deliveries");
		expect(all).toContain("ticket.created");
		expect(all).toContain("comment.created");
		const filtered = await html("/admin/deliveries?status=pending&event_type=comment.created&endpoint_id=");
		expect(filtered).toContain("<code>comment.created</code>");
		expect(filtered).not.toContain("<code>ticket.created</code>");
		expect(await html("/admin/deliveries?status=failed")).toContain("No deliveries match.");
	});

	it("answers a filter it cannot apply with what to fix, under a heading that says the page cannot be shown", async () => {
		const response = await page("/admin/deliveries?status=bogus");
		expect(response.status).toBe(422);
		const text = await response.text();
		expect(text).toContain("<h1>Cannot show this page</h1>");
		expect(text).toMatch(/status.*pending/);
		expect(text).not.toContain("Something went wrong");
	});

	it("refuses a filter given twice, as the API does, instead of applying one of the two", async () => {
		for (const path of [
			"/admin/deliveries?status=failed&status=delivered",
			"/admin/events?event_type=ticket.created&event_type=comment.created",
		]) {
			const response = await page(path);
			expect(response.status).toBe(422);
			const text = await response.text();
			expect(text).toContain("<h1>Cannot show this page</h1>");
			expect(text).toMatch(/give (status|event_type) once/);
		}
		const accounts = await page("/admin/accounts?q=a&q=b");
		expect(accounts.status).toBe(422);
		expect(await accounts.text()).toContain("give q once");
	});

	it("Retry now makes a manual attempt shown on the delivery's page", async () => {
		await createEndpoint("https://a.example/hook");
		stubDestination((_request, index) => new Response(index === 0 ? "busy" : "ok", { status: index === 0 ? 503 : 200 }));
		const { queue } = await ingest(fixture("ticket.created"));
		const [id] = queue.messages.map((m) => m.deliveryId);
		await runConsumer([id]);
		const response = await submit(`/admin/deliveries/${id}/retry`, {});
		expect(response.headers.get("location")).toBe(`/admin/deliveries/${id}?notice=retried#attempts`);
		const text = await html(`/admin/deliveries/${id}?notice=retried`);
		expect(text).toContain(">manual</span>");
		expect(text).toContain('<span class="badge delivered">delivered</span>');
		// Each attempt's result names its status once: in its badge, not again in its words or as "HTTP 503".
		const results = [...text.matchAll(/<td data-label="Result">(.*?)<\/td>/gs)].map(([, cell]) => words(cell).trim());
		expect(results).toEqual([expect.stringMatching(/^200 delivered$/), expect.stringMatching(/^503 server error The receiver failed/)]);
	});
});

describe("the local-development warning", () => {
	// Every page a signed-in operator or account admin gets (the layout's chrome); the sign-in, signed-out and
	// error pages frame no account's pages and carry no banner.
	it("shows a banner on every page of the operator's and the portal's while ALLOW_PRIVATE_DESTINATIONS is on, and none otherwise", async () => {
		stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://a.example/hook");
		const { queue, response } = await ingest(fixture("ticket.created"));
		const { event_id } = (await response.json()) as { event_id: string };
		await runConsumer(queue.messages);
		const [{ deliveryId }] = queue.messages;
		await createAccount("acme");
		const theirs = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const acme = await ingest(fixture("ticket.created"), { account: "acme" });
		const { event_id: acmeEvent } = (await acme.response.json()) as { event_id: string };
		await runConsumer(acme.queue.messages);
		const link = new URL((await json<{ url: string }>(await api("/accounts/acme/admin-links", { method: "POST", body: {} }))).url);
		const opened = await page(`${link.pathname}${link.search}`);
		const portalCookie = /hivepost_portal=[^;]+/.exec(opened.headers.get("set-cookie") ?? "")?.[0] ?? "";
		expect(portalCookie).not.toBe("");

		const form = (fields: Record<string, string> = {}): RequestInit => ({
			method: "POST",
			body: new URLSearchParams(fields),
			headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
		});
		const account = (base: string, ids: { endpoint: string; delivery: string; event: string }, init: RequestInit = {}) =>
			[
				base,
				`${base}/endpoints/${ids.endpoint}`,
				`${base}/deliveries`,
				`${base}/deliveries/${ids.delivery}`,
				`${base}/events`,
				`${base}/events/${ids.event}`,
			].map((path) => [path, init] as const);
		const ep = `/admin/endpoints/${endpoint.id}`;
		const pages: (readonly [string, RequestInit])[] = [
			// Every GET page: the default account's, the operator's own, another account's, and the portal's.
			...account("/admin", { endpoint: endpoint.id, delivery: deliveryId, event: event_id }),
			["/admin/accounts", {}],
			["/admin/api", {}],
			["/admin/accounts/acme", {}],
			[`/admin/accounts/acme/endpoints/${theirs.id}`, {}],
			...account(
				"/portal",
				{ endpoint: theirs.id, delivery: acme.queue.messages[0].deliveryId, event: acmeEvent },
				{ headers: { cookie: portalCookie } },
			),
			// Pages a POST answers with: the confirmations and the revealed secret.
			["/admin/webhooks", form({ urls: "" })],
			[`${ep}/secret`, form()],
			[`${ep}/rotate-secret`, form()],
			[`${ep}/delete`, form()],
		];
		for (const allowed of ["true", "false"]) {
			for (const [path, init] of pages) {
				const shown = await page(path, init, { env: { ALLOW_PRIVATE_DESTINATIONS: allowed } });
				expect(shown.status, path).toBe(200);
				expect((await shown.text()).includes("ALLOW_PRIVATE_DESTINATIONS is on"), `${path} with ${allowed}`).toBe(allowed === "true");
			}
		}
	});
});
