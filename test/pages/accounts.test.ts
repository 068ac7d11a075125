/** The operator's page of accounts (/admin/accounts), and the links in the operator's navigation. */
import { describe, expect, it } from "vitest";
import { page } from "../helpers/pages";
import { accountIdOf, createEndpoint, operatorHeaders, pacerOfAccount, recordingQueues, request } from "../helpers/worker";

async function putAccount(uid: string, name: string) {
	const { response } = await request(`/api/accounts/${uid}`, { method: "PUT", headers: operatorHeaders, body: JSON.stringify({ name }) });
	// Accounts outlive a test (the setup empties the endpoints and deliveries only): created or renamed.
	expect([200, 201]).toContain(response.status);
}

describe("the operator's accounts page", () => {
	it("lists every account with its name and endpoint count, linking to its pages", async () => {
		await putAccount("acme", "Acme Ltd");
		await createEndpoint("https://acme.example/hook", { account: "acme" });
		// Before the fix, /admin/accounts read the account of the page, which a page of no account has not: a 500.
		const response = await page("/admin/accounts");
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain("<title>Accounts · Hivepost</title>");
		expect(html).toContain('<a href="/admin/accounts/acme"><code>acme</code></a>');
		expect(html).toContain('<td data-label="Name">Acme Ltd</td><td data-label="Endpoints">1</td>');
		expect(html).toContain('<a href="/admin/accounts/default"><code>default</code></a>');
		expect(html).toContain('<a href="/admin/accounts" aria-current="page">Accounts</a>');
		// A page of no account names none in its header.
		expect(html).not.toContain('class="account"');
	});

	it("names each row's action buttons with the account's uid, so a screen reader can tell the rows apart", async () => {
		await putAccount("acme", "Acme Ltd");
		const html = await (await page("/admin/accounts")).text();
		for (const name of ["Admin link for acme", "Read-only link for acme", "End sessions of acme", "Delete acme"]) {
			expect(html).toContain(`aria-label="${name}"`);
		}
		expect(html).toContain('aria-label="Admin link for default"');
	});

	it("shows which accounts are bursting (over their fair rate in the last minute)", async () => {
		await putAccount("acme", "Acme Ltd");
		await putAccount("calm", "Calm Ltd");
		await pacerOfAccount(await accountIdOf("acme"), recordingQueues()).admit("bulk", [
			{ accountId: await accountIdOf("acme"), deliveryId: "dlv_1", endpointId: "ep_1" },
		]);
		const html = await (await page("/admin/accounts")).text();
		const row = (uid: string) =>
			html.slice(html.indexOf(`<code>${uid}</code>`), html.indexOf("</tr>", html.indexOf(`<code>${uid}</code>`)));
		expect(row("acme")).toContain('<span class="badge bursting">bursting: over its fair rate</span>');
		expect(row("calm")).not.toContain("bursting");
	});

	it("finds accounts by uid prefix", async () => {
		await putAccount("acme", "Acme Ltd");
		await putAccount("beta", "Beta Inc");
		const html = await (await page("/admin/accounts?prefix=ac")).text();
		expect(html).toContain("Acme Ltd");
		expect(html).not.toContain("Beta Inc");
	});
});

describe("the operator's accounts page, with several databases", () => {
	it("shows each account's database, and each database's live accounts and size", async () => {
		await putAccount("acme", "Acme Ltd");
		await putAccount("beta", "Beta Inc");
		const html = await (await page("/admin/accounts")).text();
		expect(html).toContain('<td data-label="Database"><code>DB_1</code></td>');
		expect(html).toContain('<td data-label="Database"><code>DB_2</code></td>');
		const databases = [...html.matchAll(/<td><code>(DB(?:_\d)?)<\/code><\/td><td>(\d+)<\/td><td>([\d.]+) MB/g)];
		expect(databases.map(([, name, accounts]) => [name, Number(accounts)])).toEqual([
			["DB", 1],
			["DB_1", 1],
			["DB_2", 1],
		]);
		// D1 reports each database's size after any statement: a database with the schema in it is well over 10 KB.
		for (const [, name, , megabytes] of databases) expect(Number(megabytes), name).toBeGreaterThan(0.01);
	});
});

describe("the operator's navigation", () => {
	it("links only to pages that exist", async () => {
		const html = await (await page("/admin")).text();
		const nav = /<nav aria-label="Main">(.*?)<\/nav>/.exec(html)?.[1] ?? "";
		const hrefs = [...nav.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
		expect(hrefs).toEqual(["/admin", "/admin/deliveries", "/admin/events", "/admin/accounts", "/admin/system", "/admin/api"]);
		for (const href of hrefs) expect({ href, status: (await page(href)).status }).toEqual({ href, status: 200 });
	});
});
