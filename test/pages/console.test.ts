/**
 * The operator's console of accounts (/admin/accounts): create an account,
 * mint an admin link (full or read-only), end an account's sessions, delete
 * an account after a confirmation, search by uid or name, sort by health;
 * every action refused from another site.
 */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { page, submit } from "../helpers/pages";
import { createAccount, createEndpoint, rows, runEverywhere, sleep } from "../helpers/worker";

/** Until the move started here has ended (the mover's alarm runs on its own). */
async function waitUntilMoved() {
	while ((await rows("SELECT 1 FROM account_moves")).length) await sleep(25);
}

const uids = async () =>
	rows<{ uid: string }>("SELECT uid FROM accounts WHERE deleted_at IS NULL AND uid NOT IN ('default', '_operator') ORDER BY uid");

describe("the console's actions", () => {
	it("creates an account, and refuses a malformed or taken uid on the page with the input kept", async () => {
		const created = await submit("/admin/accounts", { uid: "acme", name: "Acme Ltd" });
		expect(created.status).toBe(303);
		expect(created.headers.get("location")).toBe("/admin/accounts?q=acme&notice=account-created#accounts");
		expect(await (await page(created.headers.get("location") ?? "")).text()).toContain("Account acme created: it is listed below.");
		expect(await rows("SELECT uid, name FROM accounts WHERE uid = 'acme'")).toEqual([{ uid: "acme", name: "Acme Ltd" }]);
		for (const uid of ["-bad", "acme"]) {
			const refused = await submit("/admin/accounts", { uid, name: "Other" });
			expect(refused.status).toBe(422);
			const html = await refused.text();
			expect(html).toContain('aria-invalid="true"');
			expect(html).toContain(`value="${uid}"`);
		}
		expect(await rows("SELECT name FROM accounts WHERE uid = 'acme'")).toEqual([{ name: "Acme Ltd" }]);
	});

	it("holds the form's name to the API's rules: one refused there is refused here, creating nothing", async () => {
		for (const [name, problem] of [
			["z".repeat(201), "must be at most 200 characters"],
			["two\nlines", "must not contain control characters"],
			["two\u2028lines", "must not contain control characters"],
		]) {
			const refused = await submit("/admin/accounts", { uid: "refused", name });
			expect(refused.status).toBe(422);
			const html = await refused.text();
			// Beside the Name field, which is the one marked, and at the top.
			expect(html).toContain('<p id="name-error" class="field-error">');
			expect(html).toMatch(/<input id="name" name="name" type="text" value="[^"]*" aria-invalid="true" aria-describedby="name-error"\/>/);
			expect(html).toMatch(/<input id="uid" name="uid" type="text" required="" value="refused"\/>/);
			expect(html).toMatch(new RegExp(`<p class="error" role="alert">[^<]*${problem}`));
		}
		expect(await uids()).toEqual([]);
	});

	it("mints an admin link, full or read-only, shown once on the page, that opens the portal", async () => {
		await createAccount("acme");
		for (const readOnly of [false, true]) {
			const response = await submit("/admin/accounts/acme/admin-link", readOnly ? { read_only: "yes" } : {});
			expect(response.status).toBe(200);
			const html = await response.text();
			const url = /id="admin-link" type="text" readonly="" value="([^"]+)"/.exec(html)?.[1] ?? "";
			expect(url).toMatch(/^https:\/\/hooks\.hivepost\.example\/portal\/sign-in\?token=/);
			// Made to last 5 minutes, and said so (not "in 4 min", a few milliseconds later).
			expect(html).toContain("(in 5 min)");
			const [link] = await rows<{ read_only: number }>("SELECT read_only FROM admin_links ORDER BY created_at DESC LIMIT 1");
			expect(link.read_only).toBe(readOnly ? 1 : 0);
			const opened = await page(new URL(url.replaceAll("&amp;", "&")).pathname + new URL(url.replaceAll("&amp;", "&")).search, {
				headers: { cookie: "" },
			});
			expect(opened.status).toBe(303);
		}
	});

	it("ends an account's sessions and unused links", async () => {
		await createAccount("acme");
		await api("/accounts/acme/admin-links", { method: "POST", body: {} });
		expect(await rows("SELECT token_hash FROM admin_links")).toHaveLength(1);
		const ended = await submit("/admin/accounts/acme/end-sessions", {});
		expect(ended.status).toBe(303);
		expect(ended.headers.get("location")).toBe("/admin/accounts?q=acme&notice=sessions-ended#accounts");
		// The notice names the account whose admins were signed out.
		expect(await (await page(ended.headers.get("location") ?? "")).text()).toContain(
			"The admins of acme are signed out, and its unused links no longer work.",
		);
		expect(await rows("SELECT token_hash FROM admin_links WHERE used_at IS NULL AND expires_at > ?", Date.now())).toEqual([]);
	});

	it("deletes an account only once confirmed", async () => {
		await createAccount("acme");
		const asked = await submit("/admin/accounts/acme/delete", {});
		expect(asked.status).toBe(200);
		const html = await asked.text();
		expect(html).toContain("Delete account acme?");
		expect(html).toContain('<input type="hidden" name="confirm" value="yes"/>');
		expect(await uids()).toEqual([{ uid: "acme" }]);
		const deleted = await submit("/admin/accounts/acme/delete", { confirm: "yes" });
		expect(deleted.status).toBe(303);
		expect(await uids()).toEqual([]);
		expect((await submit("/admin/accounts/default/delete", { confirm: "yes" })).status).toBe(409);
	});

	it("moves an account to another database only once confirmed, and shows the move beside its database", async () => {
		await createAccount("acme");
		const listed = await (await page("/admin/accounts")).text();
		expect(listed).toContain('<form method="post" action="/admin/accounts/acme/move" class="row">');
		expect(listed).toContain('<option value="DB_2">DB_2</option>');
		const asked = await submit("/admin/accounts/acme/move", { database: "DB_2" });
		expect(asked.status).toBe(200);
		const html = await asked.text();
		expect(html).toContain("Move account acme from DB_1 to DB_2?");
		expect(html).toContain('<input type="hidden" name="database" value="DB_2"/>');
		expect(await rows("SELECT * FROM account_moves")).toEqual([]);
		const moved = await submit("/admin/accounts/acme/move", { database: "DB_2", confirm: "yes" });
		expect(moved.status).toBe(303);
		expect(moved.headers.get("location")).toBe("/admin/accounts?q=acme&notice=move-started#accounts");
		expect(await (await page(moved.headers.get("location") ?? "")).text()).toContain("Move of acme started: the account keeps working");
		const during = await (await page("/admin/accounts?q=acme")).text();
		expect(during).toMatch(/moving to DB_2: (copying|switching|cleaning)|<code>DB_2<\/code>/);
		expect(during).not.toContain('action="/admin/accounts/acme/move"');
		await waitUntilMoved();
	});

	it("refuses a move that cannot be made before asking to confirm it", async () => {
		await createAccount("acme");
		for (const [database, status] of [
			["DB_7", 422],
			["DB_1", 409],
		] as const) {
			const refused = await submit("/admin/accounts/acme/move", { database });
			expect(refused.status, database).toBe(status);
			expect(await refused.text(), database).not.toContain("Move account acme from");
		}
		expect(await rows("SELECT * FROM account_moves")).toEqual([]);
	});

	for (const [name, path, fields] of [
		["create", "/admin/accounts", { uid: "evil" }],
		["mint a link", "/admin/accounts/acme/admin-link", {}],
		["end sessions", "/admin/accounts/acme/end-sessions", {}],
		["delete", "/admin/accounts/acme/delete", { confirm: "yes" }],
	] as const) {
		it(`refuses to ${name} from another site (403), changing nothing`, async () => {
			await createAccount("acme");
			const before = await rows("SELECT * FROM admin_links");
			const refused = await submit(path, fields, { headers: { origin: "https://evil.example" } });
			expect(refused.status).toBe(403);
			expect(await refused.text()).toContain("<h1>Not allowed</h1>");
			expect(await uids()).toEqual([{ uid: "acme" }]);
			expect(await rows("SELECT * FROM admin_links")).toEqual(before);
		});
	}
});

describe("the console's list", () => {
	it("finds accounts by uid or name, whatever the case", async () => {
		await createAccount("acme", "Acme Ltd");
		await createAccount("globex", "Globex");
		const html = await (await page("/admin/accounts?q=LTD")).text();
		expect(html).toContain("Acme Ltd");
		expect(html).not.toContain("Globex");
	});

	it("sorts by health, the least healthy first, and shows health in words beside its colour", async () => {
		await createAccount("acme");
		await createAccount("zeta");
		const endpoint = await createEndpoint("https://zeta.example/hook", { account: "zeta" });
		await runEverywhere("UPDATE endpoints SET consecutive_failures = 3, failing_since = 1 WHERE id = ?", endpoint.id);
		const byUid = await (await page("/admin/accounts")).text();
		expect(byUid.indexOf("<code>acme</code>")).toBeLessThan(byUid.indexOf("<code>zeta</code>"));
		const byHealth = await (await page("/admin/accounts?sort=health")).text();
		expect(byHealth.indexOf("<code>zeta</code>")).toBeLessThan(byHealth.indexOf("<code>acme</code>"));
		expect(byHealth).toContain('<span class="badge failing">1 failing</span>');
		expect(byHealth).toContain('<span class="badge working">Working</span>');
		expect(await json(await api("/accounts?q=zeta"))).toMatchObject({ accounts: [{ uid: "zeta", health: { failing_endpoints: 1 } }] });
	});
});
