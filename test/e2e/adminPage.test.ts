/**
 * The admin page in a real browser against the real local stack, with local
 * receivers: sign in, Update App with two URLs, send a test event, see it
 * delivered, make a receiver fail, Retry now, sign out. Screenshots of the
 * main views are saved under test-results/admin/.
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { type Browser, launchBrowser } from "./browser";
import { E2E_TOKENS, startTestStack, type TestStack } from "./localStack";

const SCREENSHOTS = "test-results/admin";

let stack: TestStack;
let browser: Browser;
let steady: Receiver;
let flaky: Receiver;
let flakyFails = false;

beforeAll(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	[stack, browser, steady, flaky] = await Promise.all([
		startTestStack({
			RETRY_INTERVAL_SECONDS: "3600",
			MAX_RETRIES: "3",
			DELIVERY_TIMEOUT_MS: "5000",
			STRANDED_AFTER_SECONDS: "600",
			ALLOW_PRIVATE_DESTINATIONS: "true",
			ACCESS_TEAM_DOMAIN: "",
			ACCESS_AUD: "",
		}),
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

async function shot(page: Page, name: string) {
	await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Reloads until the page shows `text` (deliveries complete in the background). */
async function reloadUntil(page: Page, text: string) {
	await waitFor(
		async () => {
			if ((await page.content()).includes(text)) return true;
			await page.reload();
			return false;
		},
		15_000,
		`the page to show ${text}`,
	);
}

describe("the admin page in a browser", () => {
	it("does the admin's daily tasks end to end", async () => {
		const page = await browser.context.newPage();
		await page.goto(`${stack.url}/admin`);
		await expect(page.getByRole("heading", { name: "Sign in" }).count()).resolves.toBe(1);
		await shot(page, "sign-in");
		await page.getByLabel("Admin token").fill(E2E_TOKENS.ADMIN_TOKEN);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Web Hooks" }).waitFor();

		// Update App with two URLs.
		const steadyUrl = `${steady.url}/hooks/supportbee`;
		const flakyUrl = `${flaky.url}/hooks/flaky`;
		await page.locator("textarea#urls").fill(`${steadyUrl}, ${flakyUrl}`);
		await page.getByRole("button", { name: "Update App" }).click();
		await page.getByText("Saved: the endpoints now match the list.").waitFor();
		await expect(page.getByRole("link", { name: steadyUrl }).count()).resolves.toBe(1);
		await expect(page.getByRole("link", { name: flakyUrl }).count()).resolves.toBe(1);

		// Send a test event to the first endpoint and see it delivered.
		await page.getByRole("link", { name: steadyUrl }).click();
		await shot(page, "endpoint");
		await page.getByLabel("Event type").selectOption("ticket.created");
		await page.getByRole("button", { name: "Send test event" }).click();
		await page.getByText("Test event sent").waitFor();
		await reloadUntil(page, '<span class="badge delivered">delivered</span>');
		expect(steady.received).toHaveLength(1);
		expect(JSON.parse(steady.received[0].body).payload.action_type).toBe("ticket.created");
		await shot(page, "delivery");
		await page.getByRole("link", { name: "Deliveries", exact: true }).click();
		await page.waitForURL(/\/admin\/deliveries$/);
		await expect(page.locator("tbody tr").count()).resolves.toBe(1);
		await expect(page.locator("tbody .badge.delivered").count()).resolves.toBe(1);

		// A helpdesk event while the second receiver fails: its delivery is retrying.
		flakyFails = true;
		const ingest = await fetch(`${stack.url}/events`, {
			method: "POST",
			headers: { authorization: `Bearer ${E2E_TOKENS.INGEST_TOKEN}`, "content-type": "application/json" },
			body: JSON.stringify({ payload: { action_type: "customer.reply.created", ticket: { id: 1, subject: "Printer on fire" } } }),
		});
		expect(ingest.status).toBe(202);
		await page.getByLabel("Status").selectOption("retrying");
		await page.getByRole("button", { name: "Filter" }).click();
		await page.waitForURL(/status=retrying/);
		await reloadUntil(page, '<span class="badge retrying">retrying</span>');
		await shot(page, "deliveries");
		await page.locator("tbody tr a").first().click();
		await page.getByText("receiver is down").waitFor();

		// The receiver is back: Retry now delivers it with a manual attempt.
		flakyFails = false;
		await page.getByRole("button", { name: "Retry now" }).click();
		await page.getByText("Retry now: the attempt is the newest one below.").waitFor();
		await expect(page.locator(".badge", { hasText: "manual" }).count()).resolves.toBe(1);
		await expect(page.locator("dd .badge.delivered").count()).resolves.toBe(1);
		expect(flaky.received).toHaveLength(2);
		await shot(page, "retried");

		// The main page, at laptop and phone widths.
		await page.getByRole("link", { name: "Endpoints", exact: true }).click();
		await page.getByRole("heading", { name: "Last 24 hours" }).waitFor();
		await shot(page, "main");
		await page.setViewportSize({ width: 390, height: 844 });
		await shot(page, "main-phone");
		await page.setViewportSize({ width: 1280, height: 900 });

		await page.getByRole("button", { name: "Sign out" }).click();
		await page.getByRole("heading", { name: "Sign in" }).waitFor();
		await page.goto(`${stack.url}/admin/deliveries`);
		await expect(page.getByRole("heading", { name: "Sign in" }).count()).resolves.toBe(1);
	});
});
