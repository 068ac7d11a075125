/**
 * Serving every account of a helpdesk: the portal in a real Chromium against
 * the real local stack. The operator creates an account and mints a one-time
 * admin link through the API; the helpdesk's own page (another site, on
 * 127.0.0.2) links to it; a fresh browser follows the link, a top-level
 * cross-site navigation, and lands in that account's portal, signed in. Then:
 * the link works once and not after it expires; the portal stays out of the
 * operator's pages and API; its changes are recorded with the admin's name;
 * a read-only link changes nothing; a form on another site posting to the
 * operator's pages or the portal is refused; the operator's accounts page lists the
 * account; axe-core finds nothing serious or critical; phones fit.
 * Screenshots (portal-*) are saved under test-results/admin/.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminLinkRequest, HivepostClient } from "../../scripts/lib/hivepostClient.ts";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import {
	axeFindings,
	axeFindingsOn,
	type Browser,
	displays,
	expectFitsPhone,
	launchBrowser,
	navigationsDuring,
	type OtherSite,
	PAGE_TEST_SETTINGS,
	PHONE,
	reloadUntil,
	serveOtherSite,
	shot,
	shotBothWidths,
	signInAsOperator,
} from "../helpers/browser";
import { startTestStack, type TestStack } from "../helpers/localStack";

const JANE = "jane@acme.example";

let stack: TestStack;
let browser: Browser;
let acmeReceiver: Receiver;
let defaultReceiver: Receiver;
let helpdesk: OtherSite;
/** The link the helpdesk's page shows. */
let helpdeskLink = "about:blank";
let acmeUrl: string;
let acmeEndpointId: string;
let defaultUrl: string;

const escapeAttribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

beforeAll(async () => {
	[stack, browser, acmeReceiver, defaultReceiver, helpdesk] = await Promise.all([
		startTestStack(PAGE_TEST_SETTINGS),
		launchBrowser(),
		startReceiver(() => ({ status: 200, body: "acme got it" })),
		startReceiver(() => ({ status: 200, body: "default got it" })),
		// The helpdesk's own page, where its signed-in admin finds "Web Hooks".
		serveOtherSite(
			() =>
				`<!doctype html><html lang="en"><head><title>Helpdesk</title></head><body><main><h1>Settings</h1><a href="${escapeAttribute(helpdeskLink)}">Web Hooks</a></main></body></html>`,
		),
	]);
	// The operator, through the API: an account, an endpoint for it and one for the default account.
	await stack.hivepost.accounts.create("acme", { name: "Acme Ltd" });
	acmeUrl = `${acmeReceiver.url}/hooks/acme`;
	defaultUrl = `${defaultReceiver.url}/hooks/default`;
	acmeEndpointId = (await stack.hivepost.account("acme").createEndpoint({ url: acmeUrl })).body.id;
	await stack.hivepost.createEndpoint({ url: defaultUrl });
});

afterAll(async () => {
	await browser?.close();
	await Promise.all([acmeReceiver?.close(), defaultReceiver?.close(), helpdesk?.close()]);
	await stack?.dispose();
});

async function mintLink(options: AdminLinkRequest = {}) {
	return (await stack.hivepost.accounts.adminLink("acme", { admin: JANE, ...options })).body;
}

/** A fresh browser (no cookies) on the helpdesk's page, clicking its link to `link`; returns the page and the navigations. */
async function arriveFromHelpdesk(link: string, viewport = { width: 1280, height: 900 }) {
	helpdeskLink = link;
	const context = await browser.newContext({ viewport });
	expect(await context.cookies()).toEqual([]);
	const page = await context.newPage();
	await page.goto(helpdesk.url);
	const signIn = page.waitForRequest((request) => request.url().startsWith(`${stack.url}/portal/sign-in`));
	const navigations = await navigationsDuring(page, () => page.getByRole("link", { name: "Web Hooks" }).click());
	// A top-level navigation that began on another site.
	expect(await (await signIn).headerValue("sec-fetch-site")).toBe("cross-site");
	return { page, context, navigations };
}

/** Signed in to acme's portal through a fresh link from the helpdesk's page. */
async function openPortal(options: { read_only?: boolean; admin?: string; viewport?: { width: number; height: number } } = {}) {
	const { viewport, ...request } = options;
	const { page } = await arriveFromHelpdesk((await mintLink(request)).url, viewport);
	await page.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();
	expect(page.url()).toBe(`${stack.url}/portal`);
	return page;
}

const pathOf = (url: string) => {
	const parsed = new URL(url);
	return `${parsed.pathname}${parsed.search}`;
};

async function expectLinkRefused(page: Page, navigations: { status: number | null }[]) {
	expect(navigations.map((navigation) => navigation.status)).toEqual([410]);
	await page.getByRole("heading", { name: "This link cannot be used", level: 1 }).waitFor();
	await expect(page.locator("main").textContent()).resolves.toContain("This link was already used or has expired.");
	// Not signed in: no session was opened.
	expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain("hivepost_portal");
}

describe("an account's portal in a browser", () => {
	let firstLink: string;

	it("opens from a link on the helpdesk's site: signed in, on /portal, for that account only", async () => {
		const link = await mintLink();
		expect(link.url).toMatch(new RegExp(`^${stack.url}/portal/sign-in\\?token=[0-9a-f]{64}$`));
		firstLink = link.url;
		const { page, context, navigations } = await arriveFromHelpdesk(link.url);

		// The link's answer signs in and sends the browser on, so the token leaves the address bar.
		expect(navigations).toEqual([
			{ method: "GET", path: pathOf(link.url), status: 303 },
			{ method: "GET", path: "/portal", status: 200 },
		]);
		expect(page.url()).toBe(`${stack.url}/portal`);
		// Signed in on arrival, without a reload: the session cookie went along the redirect.
		await page.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();
		await expect(page.title()).resolves.toBe("Web Hooks · Acme Ltd · Hivepost");
		await expect(page.locator("header.top .account").textContent()).resolves.toBe("Acme Ltd (acme)");
		const [cookie] = await context.cookies();
		expect(cookie).toMatchObject({ name: "hivepost_portal", httpOnly: true, sameSite: "Lax" });
		// Acme's endpoint, never the default account's.
		await expect(page.getByRole("link", { name: acmeUrl, exact: true }).count()).resolves.toBe(1);
		await expect(page.getByRole("link", { name: defaultUrl, exact: true }).count()).resolves.toBe(0);
		await expect(page.locator("main").textContent()).resolves.not.toContain(defaultUrl);
		// The portal's navigation: the account's pages, not the operator's.
		await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents()).resolves.toEqual([
			"Endpoints",
			"Deliveries",
			"Events",
		]);
		await shotBothWidths(page, "portal-main");
		await context.close();
	});

	it("refuses a used link and an expired link with 410", async () => {
		// The first test's link, a second time.
		const used = await arriveFromHelpdesk(firstLink);
		await expectLinkRefused(used.page, used.navigations);
		await shotBothWidths(used.page, "portal-link-refused");
		await used.context.close();

		const expiring = await mintLink({ expires_in: 1 });
		// Wait until it has expired (the server's clock is this machine's).
		await waitFor(() => Date.now() > Date.parse(expiring.expires_at) + 50, 5000, "the link to expire");
		const expired = await arriveFromHelpdesk(expiring.url);
		await expectLinkRefused(expired.page, expired.navigations);
		await expired.context.close();
	});

	it("keeps a portal session out of the operator's pages and API", async () => {
		const page = await openPortal();
		await expect(navigationsDuring(page, () => page.goto(`${stack.url}/admin`))).resolves.toEqual([
			{ method: "GET", path: "/admin", status: 303 },
			{ method: "GET", path: "/portal", status: 200 },
		]);
		await expect(navigationsDuring(page, () => page.goto(`${stack.url}/admin/accounts`))).resolves.toEqual([
			{ method: "GET", path: "/admin/accounts", status: 303 },
			{ method: "GET", path: "/portal", status: 200 },
		]);
		const response = await page.goto(`${stack.url}/api/endpoints`);
		expect(response?.status()).toBe(403);
		expect(response?.headers()["content-type"]).toMatch(/^application\/json/);
		await expect(response?.json()).resolves.toMatchObject({ code: "forbidden" });
		// Another account's endpoint id is not found in the portal.
		const other = (await stack.hivepost.listEndpoints()).body.endpoints[0].id;
		expect((await page.goto(`${stack.url}/portal/endpoints/${other}`))?.status()).toBe(404);
		await page.context().close();
	});

	it("records a change made in the portal with the admin's name as its actor", async () => {
		const page = await openPortal();
		await page.getByRole("link", { name: `Manage ${acmeUrl}`, exact: true }).click();
		await page.getByRole("heading", { name: acmeUrl, level: 1 }).waitFor();
		await page.getByLabel("Header name").fill("X-Acme-Token");
		await page.getByLabel("Value", { exact: true }).fill("acme-secret");
		await page.getByRole("button", { name: "Set header" }).click();
		await page.getByText("Header saved.").first().waitFor();
		expect(page.url()).toBe(`${stack.url}/portal/endpoints/${acmeEndpointId}?notice=header-set#headers`);

		const changes = page.locator("section[aria-labelledby=changes] tbody tr", { hasText: "header set" });
		await expect(changes.locator("td[data-label=Who]").allTextContents()).resolves.toEqual([JANE]);
		await shotBothWidths(page, "portal-endpoint");
		await page.context().close();

		// The operator sees the same record on the account's endpoint page.
		const operator = await signInAsOperator(browser, stack);
		await operator.goto(`${stack.url}/admin/accounts/acme/endpoints/${acmeEndpointId}`);
		const seen = operator.locator("section[aria-labelledby=changes] tbody tr", { hasText: "header set" });
		await expect(seen.locator("td[data-label=Who]").allTextContents()).resolves.toEqual([JANE]);
		await operator.context().close();
	});

	it("gives a read-only link everything to see and nothing to change", async () => {
		const state = async () => ({
			endpoints: (await stack.hivepost.account("acme").listEndpoints()).body.endpoints.map(({ url, headers, events, enabled }) => ({
				url,
				headers,
				events,
				enabled,
			})),
			secret: (await stack.hivepost.account("acme").endpointSecret(acmeEndpointId)).body,
		});
		const before = await state();
		const page = await openPortal({ read_only: true, admin: "auditor@acme.example" });
		await expect(page.getByRole("link", { name: acmeUrl, exact: true }).count()).resolves.toBe(1);
		await expect(page.locator("textarea#urls").count()).resolves.toBe(0);
		await expect(page.getByRole("button", { name: "Update App" }).count()).resolves.toBe(0);
		await expect(page.getByRole("button", { name: /^(Disable|Enable) / }).count()).resolves.toBe(0);
		await expect(page.getByText("Read-only: you can see everything here but change nothing.").count()).resolves.toBe(1);
		await shot(page, "portal-read-only");

		await page.getByRole("link", { name: `View ${acmeUrl}`, exact: true }).click();
		await page.getByRole("heading", { name: acmeUrl, level: 1 }).waitFor();
		await expect(page.getByRole("button").allTextContents()).resolves.toEqual(["Sign out"]);
		await expect(page.getByRole("heading", { name: "Signing secret" }).count()).resolves.toBe(0);
		await expect(page.locator("main").textContent()).resolves.not.toContain("whsec_");
		await shot(page, "portal-read-only-endpoint");

		// A POST anyway, with the session's cookies from the page's own origin: 403, nothing changes.
		const origin = { origin: stack.url };
		const attempts = await Promise.all([
			page.request.post(`${stack.url}/portal/webhooks`, { form: { urls: "", confirm: "yes" }, headers: origin, maxRedirects: 0 }),
			page.request.post(`${stack.url}/portal/endpoints/${acmeEndpointId}/rotate-secret`, {
				form: { confirm: "yes" },
				headers: origin,
				maxRedirects: 0,
			}),
			page.request.post(`${stack.url}/portal/endpoints/${acmeEndpointId}/secret`, { headers: origin, maxRedirects: 0 }),
		]);
		expect(attempts.map((response) => response.status())).toEqual([403, 403, 403]);
		expect(await state()).toEqual(before);
		await page.context().close();
	});

	it("refuses a real cross-site form post from another site's page, to the operator's pages and to the portal, with 403", async () => {
		const summary = async (account: Pick<HivepostClient, "listEndpoints">) =>
			(await account.listEndpoints()).body.endpoints.map(({ id, url, enabled, updated_at }) => ({ id, url, enabled, updated_at }));
		const state = async () => ({ default: await summary(stack.hivepost), acme: await summary(stack.hivepost.account("acme")) });
		const before = await state();
		// Another site's page (127.0.0.2) with a form that posts to Hivepost, submitted in a browser signed in to both.
		let attack: { action: string; fields: Record<string, string> } = { action: "", fields: {} };
		const hidden = (fields: Record<string, string>) =>
			Object.entries(fields)
				.map(([name, value]) => `<input type="hidden" name="${escapeAttribute(name)}" value="${escapeAttribute(value)}">`)
				.join("");
		const otherSite = await serveOtherSite(
			() =>
				`<!doctype html><html lang="en"><head><title>Prizes</title></head><body><main><h1>Prizes</h1><form method="post" action="${escapeAttribute(attack.action)}">${hidden(attack.fields)}<button>Claim your prize</button></form></main></body></html>`,
		);
		const operator = await signInAsOperator(browser, stack);
		const portal = await openPortal();
		try {
			for (const [page, action, fields] of [
				// Update App, confirmed: it would delete every endpoint and register the other site's.
				[operator, "/admin/webhooks", { urls: "https://evil.example/hook", confirm: "yes" }],
				[portal, "/portal/webhooks", { urls: "https://evil.example/hook", confirm: "yes" }],
			] as const) {
				attack = { action: `${stack.url}${action}`, fields };
				await page.goto(otherSite.url);
				const posted = page.waitForRequest((request) => request.method() === "POST");
				const navigations = await navigationsDuring(page, () => page.getByRole("button", { name: "Claim your prize" }).click());
				expect(navigations, action).toEqual([{ method: "POST", path: action, status: 403 }]);
				// Really from another site, as the browser saw it.
				expect(await (await posted).headerValue("sec-fetch-site")).toBe("cross-site");
				expect(await (await posted).headerValue("origin")).toBe(otherSite.url);
				await expect(page.locator("main").textContent()).resolves.toContain("CSRF");
			}
		} finally {
			await Promise.all([operator.context().close(), portal.context().close(), otherSite.close()]);
		}
		expect(await state()).toEqual(before);
	});

	it("lists the account on the operator's accounts page, linking to its pages", async () => {
		const page = await signInAsOperator(browser, stack);
		await page.getByRole("link", { name: "Accounts", exact: true }).click();
		await page.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
		const row = page.locator("tbody tr", { has: page.getByRole("link", { name: "acme", exact: true }) });
		await expect(row.locator("td[data-label=Name]").textContent()).resolves.toBe("Acme Ltd");
		await expect(row.locator("td[data-label=Endpoints]").textContent()).resolves.toBe("1");
		await expect(row.getByRole("link", { name: "acme", exact: true }).getAttribute("href")).resolves.toBe("/admin/accounts/acme");
		await shotBothWidths(page, "accounts");

		await row.getByRole("link", { name: "acme", exact: true }).click();
		await page.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();
		expect(page.url()).toBe(`${stack.url}/admin/accounts/acme`);
		await expect(page.title()).resolves.toBe("Web Hooks · Acme Ltd · Hivepost");
		await expect(page.getByRole("link", { name: acmeUrl, exact: true }).count()).resolves.toBe(1);
		await expect(page.getByRole("link", { name: defaultUrl, exact: true }).count()).resolves.toBe(0);
		await page.context().close();
	});

	/** A test event sent from the portal's endpoint page, delivered; returns its delivery page's path. */
	async function deliveredFromPortal(page: Page): Promise<string> {
		await page.goto(`${stack.url}/portal/endpoints/${acmeEndpointId}`);
		await page.getByLabel("Event type").selectOption("ticket.answered");
		await page.getByRole("button", { name: "Send test event" }).click();
		await page.getByText("Test event sent").first().waitFor();
		await reloadUntil(page, page.locator("dd .badge.delivered"), "the portal's test event to be delivered");
		return new URL(page.url()).pathname;
	}

	it("has no serious or critical axe findings in the portal", async () => {
		const findings: string[] = [];
		// The pages of someone who is not signed in: a refused link, no session, signed out.
		const context: BrowserContext = await browser.newContext();
		const page = await context.newPage();
		await page.goto(firstLink);
		findings.push(...(await axeFindings(page, "a refused link")));
		await page.goto(`${stack.url}/portal`);
		findings.push(...(await axeFindings(page, "the portal, not signed in")));
		await context.close();

		const portal = await openPortal();
		const delivery = await deliveredFromPortal(portal);
		await shotBothWidths(portal, "portal-delivery");
		findings.push(
			...(await axeFindingsOn(portal, stack.url, {
				"the portal's Web Hooks page": "/portal",
				"the portal's endpoint page": `/portal/endpoints/${acmeEndpointId}`,
				"the portal's deliveries page": "/portal/deliveries",
				"the portal's delivery page": delivery,
				"the portal's events page": "/portal/events",
			})),
		);
		await portal.getByRole("button", { name: "Sign out" }).click();
		await portal.getByRole("heading", { name: "Signed out", level: 1 }).waitFor();
		findings.push(...(await axeFindings(portal, "the portal, signed out")));
		await portal.context().close();

		const readOnly = await openPortal({ read_only: true });
		findings.push(
			...(await axeFindingsOn(readOnly, stack.url, {
				"the read-only Web Hooks page": "/portal",
				"the read-only endpoint page": `/portal/endpoints/${acmeEndpointId}`,
				"the read-only delivery page": delivery,
			})),
		);
		await readOnly.context().close();
		expect(findings, "serious or critical axe findings").toEqual([]);
	});

	it("fits a phone in the portal", async () => {
		const page = await openPortal({ viewport: PHONE });
		await expectFitsPhone(page, "the portal's Web Hooks page");
		expect(new Set(await displays(page.locator("table.endpoints th.optional, table.endpoints td.optional")))).toEqual(new Set(["none"]));
		await shot(page, "portal-phone-main");
		await deliveredFromPortal(page);
		await expectFitsPhone(page, "the portal's delivery page");
		expect(new Set(await displays(page.locator("table.attempts tbody td")))).toEqual(new Set(["block"]));
		await shot(page, "portal-phone-delivery");
		await page.goto(`${stack.url}/portal/deliveries`);
		await expectFitsPhone(page, "the portal's deliveries page");
		expect(new Set(await displays(page.locator("table.stack th.optional, table.stack td.optional")))).toEqual(new Set(["none"]));
		await shot(page, "portal-phone-deliveries");
		for (const [what, path] of Object.entries({
			"the portal's endpoint page": `/portal/endpoints/${acmeEndpointId}`,
			"the portal's events page": "/portal/events",
		})) {
			await page.goto(`${stack.url}${path}`);
			await expectFitsPhone(page, what);
		}
		await page.goto(firstLink);
		await expectFitsPhone(page, "a refused link");
		await page.context().close();
	});
});
