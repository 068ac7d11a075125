/**
 * The operator's pages (/admin, the default account) in a real Chromium
 * against the real local stack, with local receivers:
 * - the daily tasks: sign in, Update App with two URLs, a test event
 *   delivered, a failing receiver, Retry now, sign out;
 * - every destructive step asks first, and every confirmed POST lands on a
 *   GET page that a reload does not repeat: Update App that removes a URL,
 *   Delete endpoint, Rotate secret (the new one shown once), Remove header;
 * - axe-core finds nothing serious or critical on the pages;
 * - at 390 px wide nothing overflows, optional columns hide, tables stack.
 * Screenshots at laptop and phone widths are saved under test-results/admin/.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
	PAGE_TEST_SETTINGS,
	PHONE,
	reloadUntil,
	shot,
	shotBothWidths,
	signInAsOperator,
} from "../helpers/browser";
import { E2E_TOKENS, startTestStack, type TestStack } from "../helpers/localStack";

let stack: TestStack;
let browser: Browser;
let steady: Receiver;
let flaky: Receiver;
let flakyFails = false;

beforeAll(async () => {
	[stack, browser, steady, flaky] = await Promise.all([
		startTestStack(PAGE_TEST_SETTINGS),
		launchBrowser(),
		startReceiver(() => ({ status: 200, body: "thanks" })),
		startReceiver(() => (flakyFails ? { status: 500, body: "receiver is down" } : { status: 200, body: "ok" })),
	]);
});

afterAll(async () => {
	await browser?.close();
	await Promise.all([steady?.close(), flaky?.close()]);
	await stack?.dispose();
});

const endpointUrls = async () => (await stack.hivepost.listEndpoints()).body.endpoints.map((e) => e.url);
const secretOf = async (id: string) => (await stack.hivepost.endpointSecret(id)).body.secret;

/** Registers `url` through the API and returns its id. */
async function register(url: string): Promise<string> {
	return (await stack.hivepost.createEndpoint({ url })).body.id;
}

/** Sends a test event to the endpoint through the API and waits until its first attempt is recorded; returns the delivery id. */
async function attemptedTestEvent(endpointId: string): Promise<string> {
	const { delivery_id } = (await stack.hivepost.sendTestEvent(endpointId, "ticket.created")).body;
	await waitFor(
		async () => (await stack.hivepost.getDelivery(delivery_id)).body.attempts.length > 0,
		15_000,
		"the test event's first attempt",
		100,
	);
	return delivery_id;
}

const endpointRows = (page: Page) => page.locator("table.endpoints tbody tr");

/**
 * A reload of the page the browser is on is a single GET, answered 200: the
 * form is not submitted again. (Playwright starts Chromium with
 * --disable-prompt-on-repost, so a page that was a POST's answer would be
 * re-posted silently on reload, not with a prompt: the requests tell.)
 */
async function expectPlainReload(page: Page): Promise<void> {
	const { pathname, search } = new URL(page.url());
	await expect(navigationsDuring(page, () => page.reload())).resolves.toEqual([
		{ method: "GET", path: `${pathname}${search}`, status: 200 },
	]);
}

describe("the operator's pages in a browser", () => {
	it("does the operator's daily tasks end to end", async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(`${stack.url}/admin`);
		await expect(page.getByRole("heading", { name: "Sign in" }).count()).resolves.toBe(1);
		await shotBothWidths(page, "sign-in");
		await page.getByLabel("Admin token").fill(E2E_TOKENS.ADMIN_TOKEN);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();

		// Update App with two URLs.
		const steadyUrl = `${steady.url}/hooks/supportbee`;
		const flakyUrl = `${flaky.url}/hooks/flaky`;
		await page.locator("textarea#urls").fill(`${steadyUrl}, ${flakyUrl}`);
		await page.getByRole("button", { name: "Update App" }).click();
		await page.getByText("Saved: the endpoints now match the list.").first().waitFor();
		await expect(page.getByRole("link", { name: steadyUrl, exact: true }).count()).resolves.toBe(1);
		await expect(page.getByRole("link", { name: flakyUrl, exact: true }).count()).resolves.toBe(1);
		await expect(page.getByRole("link", { name: `Manage ${steadyUrl}`, exact: true }).count()).resolves.toBe(1);

		// Send a test event to the first endpoint and see it delivered.
		await page.getByRole("link", { name: steadyUrl, exact: true }).click();
		await page.getByRole("heading", { name: steadyUrl, level: 1 }).waitFor();
		await shotBothWidths(page, "endpoint");
		await page.getByLabel("Event type").selectOption("ticket.created");
		await page.getByRole("button", { name: "Send test event" }).click();
		await page.getByText("Test event sent").first().waitFor();
		await reloadUntil(page, page.locator("dd .badge.delivered"), "the test event to be delivered");
		expect(steady.received).toHaveLength(1);
		expect(JSON.parse(steady.received[0].body).payload.action_type).toBe("ticket.created");
		await shotBothWidths(page, "delivery");
		await page.getByRole("link", { name: "Deliveries", exact: true }).click();
		await page.waitForURL(/\/admin\/deliveries$/);
		await expect(page.locator("tbody tr").count()).resolves.toBe(1);
		await expect(page.locator("tbody .badge.delivered").count()).resolves.toBe(1);

		// A helpdesk event while the second receiver fails: its delivery is retrying.
		flakyFails = true;
		const ingest = await stack.hivepost.ingest(
			{ payload: { action_type: "customer.reply.created", ticket: { id: 1, subject: "Printer on fire" } } },
			{ expect: "any" },
		);
		expect(ingest.status).toBe(202);
		await page.getByLabel("Status").selectOption("retrying");
		await page.getByRole("button", { name: "Filter" }).click();
		await page.waitForURL(/status=retrying/);
		await reloadUntil(page, page.locator("tbody .badge.retrying"), "a retrying delivery");
		await shotBothWidths(page, "deliveries");
		await page.locator("tbody tr a").first().click();
		await page.getByText("receiver is down").waitFor();

		// The receiver is back: Retry now delivers it with a manual attempt.
		flakyFails = false;
		await page.getByRole("button", { name: "Retry now" }).click();
		await page.getByText("The attempt is the newest one below.").first().waitFor();
		await expect(page.locator(".badge", { hasText: "manual" }).count()).resolves.toBe(1);
		await expect(page.locator("dd .badge.delivered").count()).resolves.toBe(1);
		expect(flaky.received).toHaveLength(2);
		await shotBothWidths(page, "retried");

		// The main page, at laptop and phone widths.
		await page.getByRole("link", { name: "Endpoints", exact: true }).click();
		await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
		// The current page's link says so, and looks it: underlined and bold, unlike the others.
		const navLinks = page.getByRole("navigation", { name: "Main" }).getByRole("link");
		const looks = await navLinks.evaluateAll((links) =>
			links.map((link) => {
				const style = getComputedStyle(link);
				return `${link.textContent} ${link.getAttribute("aria-current")} ${style.textDecorationLine} ${style.fontWeight}`;
			}),
		);
		expect(looks).toEqual([
			"Endpoints page underline 700",
			"Deliveries null none 400",
			"Events null none 400",
			"Accounts null none 400",
			"System null none 400",
			"API null none 400",
		]);
		await shotBothWidths(page, "main");

		await page.getByRole("button", { name: "Sign out" }).click();
		await page.getByRole("heading", { name: "Sign in" }).waitFor();
		await page.goto(`${stack.url}/admin/deliveries`);
		await expect(page.getByRole("heading", { name: "Sign in" }).count()).resolves.toBe(1);
		await context.close();
	});

	it("asks before Update App deletes an endpoint, and a reload after it repeats nothing", async () => {
		const page = await signInAsOperator(browser, stack);
		const keep = `${steady.url}/hooks/keep`;
		const gone = `${steady.url}/hooks/gone`;
		const urls = page.locator("textarea#urls");
		const before = (await urls.inputValue()).trim();
		const list = (...items: string[]) => items.filter(Boolean).join(", ");

		await urls.fill(list(before, keep, gone));
		await page.getByRole("button", { name: "Update App" }).click();
		await page.getByText("Saved: the endpoints now match the list.").first().waitFor();
		const count = await endpointRows(page).count();
		expect(await endpointUrls()).toContain(gone);

		// Leaving `gone` out asks first, naming it and what goes with it.
		await urls.fill(list(before, keep));
		await page.getByRole("button", { name: "Update App" }).click();
		await page.getByRole("heading", { name: "Delete 1 endpoint?", level: 1 }).waitFor();
		await expect(page.locator("main li.url").allTextContents()).resolves.toEqual([gone]);
		await expect(page.locator("main").textContent()).resolves.toContain(
			"Their signing secrets, custom headers and event filters are deleted with them",
		);
		await shotBothWidths(page, "confirm-update-app");
		// The confirmation is a POST's answer, so reloading it posts again (and only asks again): what expectPlainReload rules out.
		await expect(navigationsDuring(page, () => page.reload())).resolves.toEqual([{ method: "POST", path: "/admin/webhooks", status: 200 }]);
		await page.getByRole("heading", { name: "Delete 1 endpoint?", level: 1 }).waitFor();
		expect(await endpointUrls()).toContain(gone);

		// Cancel changes nothing.
		await page.getByRole("link", { name: "Cancel" }).click();
		await page.waitForURL(`${stack.url}/admin`);
		await expect(endpointRows(page).count()).resolves.toBe(count);
		await expect(page.getByRole("link", { name: gone, exact: true }).count()).resolves.toBe(1);
		expect(await endpointUrls()).toContain(gone);

		// Confirmed: the POST answers 303 and the browser lands on a GET page.
		await urls.fill(list(before, keep));
		await page.getByRole("button", { name: "Update App" }).click();
		const confirm = page.getByRole("button", { name: "Update App and delete them" });
		await confirm.waitFor();
		await expect(navigationsDuring(page, () => confirm.click())).resolves.toEqual([
			{ method: "POST", path: "/admin/webhooks", status: 303 },
			{ method: "GET", path: "/admin?notice=webhooks-updated", status: 200 },
		]);
		expect(page.url()).toBe(`${stack.url}/admin?notice=webhooks-updated#endpoints`);
		await page.getByText("Saved: the endpoints now match the list.").first().waitFor();
		await expect(endpointRows(page).count()).resolves.toBe(count - 1);
		await expect(page.getByRole("link", { name: gone, exact: true }).count()).resolves.toBe(0);
		const after = await endpointUrls();
		expect(after).not.toContain(gone);
		expect(after).toContain(keep);

		// A reload is a plain GET: nothing is posted or deleted again.
		await expectPlainReload(page);
		await expect(endpointRows(page).count()).resolves.toBe(count - 1);
		expect(await endpointUrls()).toEqual(after);
		await page.context().close();
	});

	it("asks before Delete endpoint, then deletes it and lands on the endpoints", async () => {
		const url = `${steady.url}/hooks/delete-me`;
		const id = await register(url);
		const page = await signInAsOperator(browser, stack);
		await page.getByRole("link", { name: url, exact: true }).click();
		await page.getByRole("heading", { name: url, level: 1 }).waitFor();

		await page.getByRole("button", { name: `Delete endpoint ${url}`, exact: true }).click();
		await page.getByRole("heading", { name: "Delete this endpoint?", level: 1 }).waitFor();
		await expect(page.locator("main .confirm").textContent()).resolves.toContain(url);
		await shot(page, "confirm-delete");
		await page.getByRole("link", { name: "Cancel" }).click();
		await page.waitForURL(`${stack.url}/admin/endpoints/${id}`);
		expect(await endpointUrls()).toContain(url);

		await page.getByRole("button", { name: `Delete endpoint ${url}`, exact: true }).click();
		const confirm = page.getByRole("button", { name: "Delete endpoint", exact: true });
		await confirm.waitFor();
		await expect(navigationsDuring(page, () => confirm.click())).resolves.toEqual([
			{ method: "POST", path: `/admin/endpoints/${id}/delete`, status: 303 },
			{ method: "GET", path: "/admin?notice=deleted", status: 200 },
		]);
		await page.getByText("Endpoint deleted; its history is kept.").first().waitFor();
		await expect(page.getByRole("link", { name: url, exact: true }).count()).resolves.toBe(0);
		expect(await endpointUrls()).not.toContain(url);
		await expectPlainReload(page);
		await page.context().close();
	});

	it("asks before Rotate secret, shows the new secret once, and a reload does not rotate again", async () => {
		const url = `${steady.url}/hooks/rotate-me`;
		const id = await register(url);
		const original = await secretOf(id);
		const page = await signInAsOperator(browser, stack);
		await page.goto(`${stack.url}/admin/endpoints/${id}`);
		const shown = page.locator("section[aria-labelledby=secret] p code");
		await expect(shown.textContent()).resolves.toBe("whsec_••••••••••••••••");
		const rotate = page.getByRole("button", { name: `Rotate the signing secret of ${url}`, exact: true });

		await rotate.click();
		await page.getByRole("heading", { name: "Rotate the signing secret?", level: 1 }).waitFor();
		await expect(page.locator("main .confirm").textContent()).resolves.toContain(url);
		await shot(page, "confirm-rotate");
		await page.getByRole("link", { name: "Cancel" }).click();
		await page.waitForURL(`${stack.url}/admin/endpoints/${id}#secret`);
		expect(await secretOf(id)).toBe(original);

		await rotate.click();
		const confirm = page.getByRole("button", { name: "Rotate secret", exact: true });
		await confirm.waitFor();
		await expect(navigationsDuring(page, () => confirm.click())).resolves.toEqual([
			{ method: "POST", path: `/admin/endpoints/${id}/rotate-secret`, status: 303 },
			{ method: "GET", path: `/admin/endpoints/${id}?notice=secret-rotated`, status: 200 },
		]);
		const rotated = await secretOf(id);
		expect(rotated).not.toBe(original);
		expect(rotated).toMatch(/^whsec_/);
		// Shown this once.
		await expect(shown.textContent()).resolves.toBe(rotated);
		await page.getByText("New secret below, shown this once.").first().waitFor();

		// A reload shows it masked, and rotates nothing.
		await expectPlainReload(page);
		await expect(shown.textContent()).resolves.toBe("whsec_••••••••••••••••");
		expect(await secretOf(id)).toBe(rotated);
		await page.context().close();
	});

	it("asks before Remove header", async () => {
		const url = `${steady.url}/hooks/headers`;
		const id = await register(url);
		const headerNames = async () => Object.keys((await stack.hivepost.getEndpoint(id)).body.headers);
		const page = await signInAsOperator(browser, stack);
		await page.goto(`${stack.url}/admin/endpoints/${id}`);

		// Each label above its field, the fields side by side on a laptop.
		const [nameLabel, nameField, valueField] = await Promise.all(
			[page.locator("label[for=header-name]"), page.getByLabel("Header name"), page.getByLabel("Value", { exact: true })].map((l) =>
				l.boundingBox(),
			),
		);
		expect(nameLabel && nameField && nameLabel.y + nameLabel.height <= nameField.y + 1).toBe(true);
		expect(nameField && valueField && Math.abs(nameField.y - valueField.y) < 1 && valueField.x > nameField.x + nameField.width).toBe(true);
		await page.getByLabel("Header name").fill("X-Relay-Key");
		await page.getByLabel("Value", { exact: true }).fill("s3cret-value");
		await expect(
			navigationsDuring(page, () => page.getByRole("button", { name: "Set header" }).click()).then((list) => list.map((n) => n.status)),
		).resolves.toEqual([303, 200]);
		await page.getByText("Header saved.").first().waitFor();
		expect(await headerNames()).toEqual(["x-relay-key"]);
		const remove = page.getByRole("button", { name: "Remove header x-relay-key", exact: true });

		await remove.click();
		await page.getByRole("heading", { name: "Remove the header x-relay-key?", level: 1 }).waitFor();
		await expect(page.locator("main .confirm").textContent()).resolves.toContain(url);
		await shot(page, "confirm-remove-header");
		await page.getByRole("link", { name: "Cancel" }).click();
		await page.waitForURL(`${stack.url}/admin/endpoints/${id}#headers`);
		expect(await headerNames()).toEqual(["x-relay-key"]);

		await remove.click();
		const confirm = page.getByRole("button", { name: "Remove header", exact: true });
		await confirm.waitFor();
		await expect(navigationsDuring(page, () => confirm.click())).resolves.toEqual([
			{ method: "POST", path: `/admin/endpoints/${id}/headers/remove`, status: 303 },
			{ method: "GET", path: `/admin/endpoints/${id}?notice=header-removed`, status: 200 },
		]);
		await page.getByText("No custom headers.").waitFor();
		expect(await headerNames()).toEqual([]);
		await expectPlainReload(page);
		await page.context().close();
	});

	it("has no serious or critical axe findings on the operator's pages", async () => {
		// A long URL, a failing receiver with a response body: the pages at their fullest.
		const id = await register(`${flaky.url}/hooks/accessibility/with/a/rather/long/path?and=a&query=string`);
		flakyFails = true;
		const deliveryId = await attemptedTestEvent(id);
		flakyFails = false;

		const findings: string[] = [];
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(`${stack.url}/admin`);
		findings.push(...(await axeFindings(page, "the sign-in page")));
		await page.getByLabel("Admin token").fill("not-the-token");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByText("That is not the admin token.").waitFor();
		await expect(page.getByLabel("Admin token").getAttribute("aria-invalid")).resolves.toBe("true");
		findings.push(...(await axeFindings(page, "the sign-in page with its error")));
		await context.close();

		const signedIn = await signInAsOperator(browser, stack);
		await signedIn.goto(`${stack.url}/admin/endpoints/${id}`);
		// "All events" makes the event checkboxes look inactive (CSS only), with their text still at 4.5:1.
		const grid = signedIn.locator("fieldset.events .events-grid");
		const looks = () =>
			grid.evaluate((element) => ({
				text: getComputedStyle(element).color,
				box: getComputedStyle(element.querySelector("input") as Element).opacity,
			}));
		await expect(signedIn.getByRole("radio", { name: "All events" }).isChecked()).resolves.toBe(true);
		await expect(looks()).resolves.toEqual({ text: "rgb(102, 112, 133)", box: "0.45" });
		await signedIn.getByRole("radio", { name: "Only these:" }).check();
		await expect(looks()).resolves.toEqual({ text: "rgb(29, 35, 48)", box: "1" });
		// A refused form, and a confirmation.
		await signedIn.getByRole("button", { name: "Save URL and events" }).click();
		await signedIn.getByText("Choose at least one event type, or All events.").first().waitFor();
		findings.push(...(await axeFindings(signedIn, "an endpoint's page with a refused form")));
		await signedIn.getByRole("button", { name: /^Delete endpoint / }).click();
		await signedIn.getByRole("heading", { name: "Delete this endpoint?" }).waitFor();
		findings.push(...(await axeFindings(signedIn, "a confirmation page")));
		const pages = await axeFindingsOn(signedIn, stack.url, {
			"the Web Hooks page": "/admin",
			"an endpoint's page": `/admin/endpoints/${id}`,
			"the deliveries page": "/admin/deliveries",
			"a delivery's page": `/admin/deliveries/${deliveryId}`,
			"the events page": "/admin/events",
			"the accounts page": "/admin/accounts",
		});
		expect([...findings, ...pages], "serious or critical axe findings").toEqual([]);
		await signedIn.context().close();
	});

	it("fits a phone: nothing overflows at 390 px, optional columns hide, tables stack", async () => {
		const id = await register(`${steady.url}/hooks/phone/with/a/very/long/path/that/would/overflow/a/small/screen?token=abcdefghijklmnop`);
		const deliveryId = await attemptedTestEvent(id);
		const page = await signInAsOperator(browser, stack, { viewport: PHONE });

		// The main page: the endpoints table stacks, its optional columns hidden, each cell labelled.
		await page.goto(`${stack.url}/admin`);
		await expectFitsPhone(page, "the Web Hooks page");
		const optional = page.locator("table.endpoints th.optional, table.endpoints td.optional");
		expect((await displays(optional)).length).toBeGreaterThan(1);
		expect(new Set(await displays(optional))).toEqual(new Set(["none"]));
		expect(new Set(await displays(page.locator("table.endpoints tbody td:not(.optional)")))).toEqual(new Set(["block"]));
		const label = await page
			.locator("table.endpoints tbody td[data-label=Status]")
			.first()
			.evaluate((cell) => getComputedStyle(cell, "::before").content);
		expect(label).toBe('"Status"');
		await shot(page, "phone-main");

		await page.goto(`${stack.url}/admin/deliveries`);
		await expectFitsPhone(page, "the deliveries page");
		expect(new Set(await displays(page.locator("table.stack td.optional, table.stack th.optional")))).toEqual(new Set(["none"]));
		await shot(page, "phone-deliveries");

		// A delivery's page: the attempts table is stacked.
		await page.goto(`${stack.url}/admin/deliveries/${deliveryId}`);
		await expectFitsPhone(page, "a delivery's page");
		const attemptCells = page.locator("table.attempts tbody td");
		expect((await displays(attemptCells)).length).toBeGreaterThan(0);
		expect(new Set(await displays(attemptCells))).toEqual(new Set(["block"]));
		await shot(page, "phone-delivery");

		// Every other page fits too.
		const others = {
			"an endpoint's page": `/admin/endpoints/${id}`,
			"the events page": "/admin/events",
			"the accounts page": "/admin/accounts",
		};
		for (const [what, path] of Object.entries(others)) {
			await page.goto(`${stack.url}${path}`);
			await expectFitsPhone(page, what);
		}
		// The header form: each label above its field, the fields full width.
		await page.goto(`${stack.url}/admin/endpoints/${id}`);
		const nameBox = await page.getByLabel("Header name").boundingBox();
		const labelBox = await page.locator("label[for=header-name]").boundingBox();
		expect(labelBox && nameBox && labelBox.y + labelBox.height <= nameBox.y + 1).toBe(true);
		await shot(page, "phone-endpoint");
		await page.getByRole("button", { name: /^Rotate / }).click();
		await page.getByRole("heading", { name: "Rotate the signing secret?" }).waitFor();
		await expectFitsPhone(page, "a confirmation page");
		await page.context().close();

		const signedOut = await browser.newContext({ viewport: PHONE });
		const signIn = await signedOut.newPage();
		await signIn.goto(`${stack.url}/admin`);
		await expectFitsPhone(signIn, "the sign-in page");
		await signedOut.close();
	});
});
