/**
 * One-time admin links and the account portal: a link signs a browser in to
 * its account's portal once; the portal shows that account only; read-only
 * sessions change nothing; operators can end an account's sessions.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/lib/hashing";
import { api, json } from "../helpers/api";
import { ORIGIN } from "../helpers/pages";
import {
	createAccount,
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	request,
	rows,
	rowsEverywhere,
	runConsumer,
	stubDestination,
	tableRows,
} from "../helpers/worker";

async function mint(uid: string, body: Record<string, unknown> = {}, overrides: Partial<Env> = {}) {
	const { response } = await request(
		`/api/accounts/${uid}/admin-links`,
		{
			method: "POST",
			headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
			body: JSON.stringify(body),
		},
		{ env: overrides },
	);
	return response;
}

/** Opens a minted link at the local origin and returns the response and the portal cookie it set. */
async function open(url: string) {
	const { pathname, search } = new URL(url);
	const { response } = await request(`${pathname}${search}`, { redirect: "manual" });
	const cookie = /hivepost_portal=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] ?? "";
	return { response, cookie };
}

async function signedIn(uid = "acme", body: Record<string, unknown> = {}) {
	const { url } = await json<{ url: string }>(await mint(uid, body));
	return (await open(url)).cookie;
}

function portal(path: string, cookie: string, init: RequestInit = {}) {
	const headers = new Headers(init.headers);
	headers.set("cookie", cookie);
	return request(path, { ...init, headers, redirect: "manual" }).then((result) => result.response);
}

function portalPost(path: string, cookie: string, fields: Record<string, string>) {
	return portal(path, cookie, {
		method: "POST",
		body: new URLSearchParams(fields),
		headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
	});
}

/**
 * Every POST route of the account's pages that names an endpoint or a delivery (src/admin/pages/accountRoutes.tsx),
 * each with input that would change something (given an X-Token header and a failed delivery).
 */
function postsNaming(endpointId: string, deliveryId: string) {
	const ep = `/portal/endpoints/${endpointId}`;
	return [
		[`${ep}/settings`, { url: "https://changed.example/hook", events_mode: "all" }],
		[`${ep}/toggle`, { enabled: "false" }],
		[`${ep}/headers`, { name: "X-Token", value: "abc123456" }],
		[`${ep}/headers/remove`, { name: "X-Token", confirm: "yes" }],
		[`${ep}/secret`, {}],
		[`${ep}/rotate-secret`, { confirm: "yes" }],
		[`${ep}/test`, { action_type: "ticket.created" }],
		[`${ep}/redeliver`, { since: "2020-01-01T00:00" }],
		[`${ep}/delete`, { confirm: "yes" }],
		[`/portal/deliveries/${deliveryId}/retry`, {}],
	] as const;
}

describe("POST /api/accounts/{uid}/admin-links", () => {
	it("mints a one-time link at the first public origin, valid 300 s by default; only a hash of its 256-bit token is stored", async () => {
		await createAccount("acme");
		const before = Date.now();
		const response = await mint("acme", { admin: "jane@acme.example" });
		expect(response.status).toBe(201);
		const link = await json<{ url: string; expires_at: string }>(response);
		const url = new URL(link.url);
		expect(url.origin).toBe(env.PUBLIC_ORIGINS.split(",")[0]);
		expect(url.pathname).toBe("/portal/sign-in");
		const token = url.searchParams.get("token") ?? "";
		expect(token).toMatch(/^[0-9a-f]{64}$/);
		expect(Date.parse(link.expires_at)).toBeGreaterThanOrEqual(before + 300_000 - 1000);
		expect(Date.parse(link.expires_at)).toBeLessThanOrEqual(Date.now() + 300_000);
		const stored = await rows<Record<string, unknown>>("SELECT * FROM admin_links");
		expect(stored).toEqual([expect.objectContaining({ token_hash: await sha256Hex(token), admin: "jane@acme.example", read_only: 0 })]);
		expect(JSON.stringify(stored)).not.toContain(token);
	});

	it("mints a link from an empty body too (every member is optional)", async () => {
		await createAccount("acme");
		const { response } = await request("/api/accounts/acme/admin-links", {
			method: "POST",
			headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
		});
		expect(response.status).toBe(201);
		expect(await json<{ url: string }>(response)).toMatchObject({ url: expect.stringContaining("/portal/sign-in?token=") });
	});

	it("points at the request's own origin when PUBLIC_ORIGINS is empty", async () => {
		await createAccount("acme");
		const link = await json<{ url: string }>(await mint("acme", {}, { PUBLIC_ORIGINS: "" }));
		expect(new URL(link.url).origin).toBe("http://localhost");
	});

	for (const [body, field] of [
		[{ expires_in: 3601 }, "expires_in"],
		[{ expires_in: 0 }, "expires_in"],
		[{ expires_in: 1.5 }, "expires_in"],
		[{ read_only: "yes" }, "read_only"],
		[{ admin: "" }, "admin"],
	] as const) {
		it(`refuses ${JSON.stringify(body)} with 422 naming ${field}`, async () => {
			await createAccount("acme");
			const response = await mint("acme", body);
			expect(response.status).toBe(422);
			expect(await json(response)).toMatchObject({ code: "validation_failed", fields: { [field]: expect.any(String) } });
			expect(await rows("SELECT token_hash FROM admin_links")).toEqual([]);
		});
	}
});

describe("opening an admin link", () => {
	it("signs the browser in with a Lax, HttpOnly cookie and answers 303 to /portal; a second open answers 410", async () => {
		await createAccount("acme");
		const { url } = await json<{ url: string }>(await mint("acme"));
		const first = await open(url);
		expect(first.response.status).toBe(303);
		expect(first.response.headers.get("location")).toBe("/portal");
		const setCookie = first.response.headers.get("set-cookie") ?? "";
		expect(setCookie).toMatch(/^hivepost_portal=[0-9a-f]{64};/);
		expect(setCookie).toMatch(/HttpOnly/);
		expect(setCookie).toMatch(/SameSite=Lax/);
		// Plain-HTTP local origin: not Secure (a browser would refuse it); anywhere else it is.
		expect(setCookie).not.toMatch(/Secure/);
		const again = await open(url);
		expect(again.response.status).toBe(410);
		expect(await again.response.text()).toContain("This link was already used or has expired. Open Web Hooks from your helpdesk again");
		expect(again.cookie).toBe("");
	});

	it("names the cookie __Host-hivepost_portal on an HTTPS origin (Secure, Path=/, no Domain), and reads only that name there", async () => {
		await createAccount("acme");
		const { url } = await json<{ url: string }>(await mint("acme"));
		expect(url).toMatch(/^https:/);
		const { response } = await request(url, { redirect: "manual" });
		expect(response.status).toBe(303);
		const setCookie = response.headers.get("set-cookie") ?? "";
		expect(setCookie).toMatch(/^__Host-hivepost_portal=[0-9a-f]{64};/);
		expect(setCookie).toMatch(/; Secure/);
		expect(setCookie).toMatch(/; Path=\/;/);
		expect(setCookie).not.toMatch(/Domain/i);
		const cookie = setCookie.split(";")[0];
		const home = new URL("/portal", url).href;
		expect((await request(home, { headers: { cookie } })).response.status).toBe(200);
		// A session cookie of the old name, as browsers hold it from before the upgrade, no longer signs in on HTTPS.
		const oldName = cookie.replace("__Host-", "");
		expect((await request(home, { headers: { cookie: oldName } })).response.status).toBe(401);
		const signOut = await request(new URL("/portal/sign-out", url).href, {
			method: "POST",
			headers: { cookie, origin: new URL(url).origin },
			redirect: "manual",
		});
		expect(signOut.response.headers.get("set-cookie")).toMatch(/^__Host-hivepost_portal=;.*Max-Age=0/);
	});

	it("refuses an expired link, a made-up one, and one whose account was deleted, with 410", async () => {
		await createAccount("acme");
		const expired = await json<{ url: string }>(await mint("acme"));
		await env.DB.prepare("UPDATE admin_links SET expires_at = ?")
			.bind(Date.now() - 1)
			.run();
		expect((await open(expired.url)).response.status).toBe(410);
		expect((await open(`${ORIGIN}/portal/sign-in?token=${"0".repeat(64)}`)).response.status).toBe(410);
		const orphan = await json<{ url: string }>(await mint("acme"));
		await api("/accounts/acme", { method: "DELETE" });
		expect((await open(orphan.url)).response.status).toBe(410);
	});

	it("never writes the token into Hivepost's log lines, even when opening it fails", async () => {
		await createAccount("acme");
		// Every console method a log line can go to (log.ts writes console.log and console.error).
		const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
			vi.spyOn(console, method).mockImplementation(() => {}),
		);
		const lines = () => spies.flatMap((spy) => spy.mock.calls.map((call) => call.join(" "))).join("\n");
		const opened = await json<{ url: string }>(await mint("acme"));
		expect((await open(opened.url)).response.status).toBe(303);
		expect((await open(opened.url)).response.status).toBe(410);
		const failing = await json<{ url: string }>(await mint("acme"));
		await env.DB.prepare(
			"CREATE TRIGGER injected_fault BEFORE INSERT ON account_sessions BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
		).run();
		try {
			expect((await open(failing.url)).response.status).toBe(500);
		} finally {
			await env.DB.prepare("DROP TRIGGER injected_fault").run();
		}
		expect(lines()).toContain("unhandled_error");
		for (const { url } of [opened, failing]) expect(lines()).not.toContain(new URL(url).searchParams.get("token"));
	});
});

describe("opening a link while signed in", () => {
	/** Signed in to Acme Support, holding a link to Globex Help. */
	async function signedInHoldingOtherLink() {
		await createAccount("acme", "Acme Support");
		await createAccount("globex", "Globex Help");
		const cookie = await signedIn("acme");
		const { url } = await json<{ url: string }>(await mint("globex"));
		const { pathname, search } = new URL(url);
		return { cookie, url, link: `${pathname}${search}`, token: new URL(url).searchParams.get("token") ?? "" };
	}

	/** Whether Globex's link has been spent. */
	const linkUsed = async () =>
		(
			await rows<{ used: number }>(
				"SELECT used_at IS NOT NULL AS used FROM admin_links JOIN accounts ON accounts.id = admin_links.account_id WHERE uid = 'globex'",
			)
		)[0].used === 1;

	it("asks first when it is another account's link: 200, both accounts named, the link not spent and the session kept", async () => {
		const { cookie, link, token } = await signedInHoldingOtherLink();
		const asked = await portal(link, cookie);
		expect(asked.status).toBe(200);
		expect(asked.headers.get("set-cookie")).toBeNull();
		const html = await asked.text();
		expect(html).toContain("You are signed in to Acme Support<small> (acme)</small>. Continue to Globex Help<small> (globex)</small>?");
		expect(html).toContain('<form method="post" action="/portal/sign-in"');
		expect(html).toContain(`<input type="hidden" name="token" value="${token}"/>`);
		expect(html).toContain('<span class="account">Acme Support<small> (acme)</small></span>');
		expect(await linkUsed()).toBe(false);
		const home = await portal("/portal", cookie);
		expect(home.status).toBe(200);
		expect(await home.text()).toContain("<title>Web Hooks · Acme Support · Hivepost</title>");
	});

	it("switches only on the page's POST: 303 to /portal in the other account, the previous session ended", async () => {
		const { cookie, link, token } = await signedInHoldingOtherLink();
		await portal(link, cookie);
		const switched = await portalPost("/portal/sign-in", cookie, { token, confirm: "yes" });
		expect(switched.status).toBe(303);
		expect(switched.headers.get("location")).toBe("/portal");
		const next = /hivepost_portal=[^;]+/.exec(switched.headers.get("set-cookie") ?? "")?.[0] ?? "";
		expect(next).not.toBe("");
		expect(await (await portal("/portal", next)).text()).toContain("<title>Web Hooks · Globex Help · Hivepost</title>");
		expect((await portal("/portal", cookie)).status).toBe(401);
		expect(await linkUsed()).toBe(true);
	});

	it("answers the POST with 410 when the link was used or has expired meanwhile, and keeps the session", async () => {
		const { cookie, link, token } = await signedInHoldingOtherLink();
		await portal(link, cookie);
		await env.DB.prepare("UPDATE admin_links SET expires_at = ?")
			.bind(Date.now() - 1)
			.run();
		expect((await portalPost("/portal/sign-in", cookie, { token })).status).toBe(410);
		await env.DB.prepare("UPDATE admin_links SET expires_at = ?, used_at = ?")
			.bind(Date.now() + 60_000, Date.now())
			.run();
		const refused = await portalPost("/portal/sign-in", cookie, { token });
		expect(refused.status).toBe(410);
		expect(refused.headers.get("set-cookie")).toBeNull();
		expect((await portal("/portal", cookie)).status).toBe(200);
	});

	it("refuses a cross-site POST of a link (login CSRF), leaving the link unspent", async () => {
		const { cookie, token } = await signedInHoldingOtherLink();
		const forged = await portal("/portal/sign-in", cookie, {
			method: "POST",
			body: new URLSearchParams({ token }),
			headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
		});
		expect(forged.status).toBe(403);
		expect(await linkUsed()).toBe(false);
		expect((await portal("/portal", cookie)).status).toBe(200);
	});

	it("goes straight in with a link of the same account: 303, a new session in place of the old", async () => {
		await createAccount("acme", "Acme Support");
		const cookie = await signedIn("acme");
		const { url } = await json<{ url: string }>(await mint("acme"));
		const { pathname, search } = new URL(url);
		const opened = await portal(`${pathname}${search}`, cookie);
		expect(opened.status).toBe(303);
		expect(opened.headers.get("location")).toBe("/portal");
		const next = /hivepost_portal=[^;]+/.exec(opened.headers.get("set-cookie") ?? "")?.[0] ?? "";
		expect((await portal("/portal", next)).status).toBe(200);
		expect((await portal("/portal", cookie)).status).toBe(401);
	});

	it("refuses a used link with 410 without asking, and keeps the session", async () => {
		const { cookie, url, link } = await signedInHoldingOtherLink();
		await open(url);
		const refused = await portal(link, cookie);
		expect(refused.status).toBe(410);
		expect((await portal("/portal", cookie)).status).toBe(200);
	});
});

describe("the portal", () => {
	it("shows its account only, titled with the account's name", async () => {
		await createAccount("acme", "Acme Ltd");
		await createEndpoint("https://default.example/hook");
		const theirs = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const cookie = await signedIn();
		const home = await portal("/portal", cookie);
		expect(home.status).toBe(200);
		const html = await home.text();
		expect(html).toContain("<title>Web Hooks · Acme Ltd · Hivepost</title>");
		expect(html).toContain("https://acme.example/hook");
		expect(html).not.toContain("https://default.example/hook");
		expect(html).not.toContain('href="/admin');
		const defaults = await json<{ endpoints: { id: string }[] }>(await api("/endpoints"));
		expect((await portal(`/portal/endpoints/${defaults.endpoints[0].id}`, cookie)).status).toBe(404);
		expect((await portal(`/portal/endpoints/${theirs.id}`, cookie)).status).toBe(200);
	});

	it("names the account, with its uid, in the header of every page, error pages included", async () => {
		await createAccount("acme", "Acme Ltd");
		const cookie = await signedIn();
		const spent = await json<{ url: string }>(await mint("acme"));
		await open(spent.url);
		const { pathname, search } = new URL(spent.url);
		const pages = [
			await portal("/portal", cookie),
			await portal("/portal/endpoints/ep_none", cookie),
			await portal("/portal/webhooks", cookie, {
				method: "POST",
				body: new URLSearchParams({ urls: "https://evil.example/hook" }),
				headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
			}),
			await portalPost("/portal/endpoints/ep_none/test", cookie, { pad: "x".repeat(64 * 1024) }),
			await portal(`${pathname}${search}`, cookie),
		];
		expect(pages.map((page) => page.status)).toEqual([200, 404, 403, 413, 410]);
		for (const page of pages) {
			expect(await page.text(), String(page.status)).toContain('<span class="account">Acme Ltd<small> (acme)</small></span>');
		}
	});

	it("keeps an account session out of the operator's pages and API", async () => {
		await createAccount("acme");
		const cookie = await signedIn();
		const admin = await portal("/admin", cookie);
		expect(admin.status).toBe(303);
		expect(admin.headers.get("location")).toBe("/portal");
		const apiResponse = await portal("/api/endpoints", cookie);
		expect(apiResponse.status).toBe(403);
		expect(await apiResponse.json()).toMatchObject({ code: "forbidden" });
	});

	it("records portal changes with the link's admin label, shown on the endpoint's page", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const cookie = await signedIn("acme", { admin: "jane@acme.example" });
		const set = await portalPost(`/portal/endpoints/${endpoint.id}/headers`, cookie, { name: "X-Token", value: "secret-value-123" });
		expect(set.status).toBe(303);
		expect(set.headers.get("location")).toBe(`/portal/endpoints/${endpoint.id}?notice=header-set#headers`);
		expect(await rowsEverywhere("SELECT actor, action, detail FROM audit_log WHERE action = 'header set'")).toEqual([
			{ actor: "jane@acme.example", action: "header set", detail: "x-token" },
		]);
		const html = await (await portal(`/portal/endpoints/${endpoint.id}`, cookie)).text();
		expect(html).toContain("jane@acme.example");
		expect(html).not.toContain("secret-value-123");
		// The operator's own change is recorded as the operator's.
		await api(`/accounts/acme/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		expect(await rowsEverywhere("SELECT actor FROM audit_log WHERE action = 'endpoint disabled'")).toEqual([{ actor: "operator" }]);
	});

	it("shows a read-only session everything but secrets and refuses every POST with 403", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://acme.example/hook", { account: "acme" });
		const cookie = await signedIn("acme", { read_only: true });
		const home = await (await portal("/portal", cookie)).text();
		expect(home).not.toContain('<textarea id="urls"');
		expect(home).not.toContain(">Disable</button>");
		const page = await (await portal(`/portal/endpoints/${endpoint.id}`, cookie)).text();
		expect(page).not.toContain(endpoint.secret);
		expect(page).not.toContain("Reveal");
		const before = await rowsEverywhere("SELECT * FROM endpoints");
		// Every POST route of the account's pages, each with input that would change something.
		for (const [path, fields] of [
			["/portal/webhooks", { urls: "https://x.example/hook", confirm: "yes" }] as const,
			...postsNaming(endpoint.id, "dlv_none"),
		]) {
			const refused = await portalPost(path, cookie, fields);
			expect(refused.status, path).toBe(403);
			expect(await refused.text()).not.toContain(endpoint.secret);
		}
		expect(await rowsEverywhere("SELECT * FROM endpoints")).toEqual(before);
		expect(await rowsEverywhere("SELECT id FROM events")).toEqual([]);
		expect(await rowsEverywhere("SELECT id FROM audit_log WHERE actor != 'operator'")).toEqual([]);
	});

	it("refuses a cross-site form post with 403, with or without an Authorization header", async () => {
		await createAccount("acme");
		const cookie = await signedIn();
		for (const authorization of ["", "Bearer anything", `Bearer ${env.ADMIN_TOKEN}`]) {
			const response = await portal("/portal/webhooks", cookie, {
				method: "POST",
				body: new URLSearchParams({ urls: "https://evil.example/hook" }),
				headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded", authorization },
			});
			expect(response.status, authorization).toBe(403);
		}
		expect(await rowsEverywhere("SELECT id FROM endpoints")).toEqual([]);
	});

	// A form post without a same-origin Origin or Sec-Fetch-Site cannot show it came from the page (hono/csrf; docs/operations.md, Security).
	for (const [what, headers] of [
		["a cross-site form post", { origin: "https://evil.example" }],
		["a form post that carries neither Origin nor Sec-Fetch-Site", {}],
	] as const) {
		it(`refuses ${what} with 403, changing nothing`, async () => {
			await createAccount("acme");
			const cookie = await signedIn();
			const response = await portal("/portal/webhooks", cookie, {
				method: "POST",
				body: new URLSearchParams({ urls: "https://evil.example/hook" }),
				headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
			});
			expect(response.status).toBe(403);
			expect(await response.text()).toContain("CSRF");
			expect(await rowsEverywhere("SELECT id FROM endpoints")).toEqual([]);
		});
	}

	it("answers 404 to every POST that names another account's endpoint or delivery, changing nothing", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createAccount("acme");
		// The default account's endpoint, with a header to change or remove and a failed delivery to redeliver or retry.
		const theirs = await createEndpoint("https://default.example/hook");
		expect((await api(`/endpoints/${theirs.id}`, { method: "PATCH", body: { headers: { "X-Token": "keep-this-value" } } })).status).toBe(
			200,
		);
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages, { env: { MAX_RETRIES: "0" } });
		const [{ deliveryId }] = queue.messages;
		expect((await deliveryRow(deliveryId)).status).toBe("failed");
		const before = await tableRows();
		const cookie = await signedIn();
		for (const [path, fields] of postsNaming(theirs.id, deliveryId)) {
			const refused = await portalPost(path, cookie, fields);
			expect(refused.status, path).toBe(404);
			expect(await refused.text()).not.toContain(theirs.secret);
		}
		expect(await tableRows()).toEqual(before);
	});

	it("signs out with a 303 to a page of its own, whose brand leads nowhere (the way back in is the helpdesk)", async () => {
		await createAccount("acme");
		const cookie = await signedIn();
		const signOut = await portalPost("/portal/sign-out", cookie, {});
		expect(signOut.status).toBe(303);
		expect(signOut.headers.get("location")).toBe("/portal/signed-out");
		expect(signOut.headers.get("set-cookie")).toMatch(/hivepost_portal=;/);
		expect((await portal("/portal", cookie)).status).toBe(401);
		const page = await portal("/portal/signed-out", "");
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain("<h1>Signed out</h1>");
		expect(html).toContain('<span class="brand">Hivepost</span>');
		expect(html).not.toContain('href="/admin');
	});

	it("revokes the account's unused links along with its sessions: opening one afterwards answers 410", async () => {
		await createAccount("acme");
		await createAccount("globex");
		const unused = await json<{ url: string }>(await mint("acme"));
		const others = await json<{ url: string }>(await mint("globex"));
		expect((await api("/accounts/acme/sessions", { method: "DELETE" })).status).toBe(204);
		const opened = await open(unused.url);
		expect(opened.response.status).toBe(410);
		expect(opened.cookie).toBe("");
		// Another account's link is not touched.
		expect((await open(others.url)).response.status).toBe(303);
	});

	it("ends every session of an account on DELETE …/sessions, and when the account is deleted", async () => {
		await createAccount("acme");
		const cookie = await signedIn();
		expect((await portal("/portal", cookie)).status).toBe(200);
		expect((await api("/accounts/acme/sessions", { method: "DELETE" })).status).toBe(204);
		const ended = await portal("/portal", cookie);
		expect(ended.status).toBe(401);
		expect(await ended.text()).toContain("Open Web Hooks from your helpdesk again");
		const again = await signedIn();
		expect((await portal("/portal", again)).status).toBe(200);
		await api("/accounts/acme", { method: "DELETE" });
		expect((await portal("/portal", again)).status).toBe(401);
	});
});
