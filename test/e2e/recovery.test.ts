/**
 * The path, as a new account admin walks it, in a real Chromium
 * against the real local stack with real receivers on 127.0.0.1: one healthy,
 * one answering 500, a port with nothing listening, one answering 410.
 * 1. The home page says what fails: the summary line, and each failing
 *    endpoint as failing, with its error in words.
 * 2. Disabling the one answering 500 asks first, saying what it cancels.
 * 3. Its receiver fixed, "Resend everything since …" says how many, then
 *    sends them: every event it missed (while failing and while disabled)
 *    arrives.
 * 4. A search by ticket number finds that ticket's deliveries.
 * axe-core finds nothing serious or critical on any page of the path, and on
 * a 390 px phone the lists keep the endpoint and the last result in view.
 * Screenshots (recovery-*) are saved under test-results/admin/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/localStack.ts";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import {
	axeFindings,
	type Browser,
	displays,
	expectFitsPhone,
	launchBrowser,
	PAGE_TEST_SETTINGS,
	PHONE,
	reloadUntil,
	shotBothWidths,
	signInAsOperator,
} from "../helpers/browser";
import { E2E_TOKENS, startTestStack, type TestStack } from "../helpers/localStack";

let stack: TestStack;
let browser: Browser;
let healthy: Receiver;
let broken: Receiver;
let gone: Receiver;
let brokenAnswers = 500;
let closedUrl: string;

beforeAll(async () => {
	[stack, browser, healthy, broken, gone] = await Promise.all([
		startTestStack(PAGE_TEST_SETTINGS),
		launchBrowser(),
		startReceiver(() => ({ status: 200, body: "thanks" })),
		startReceiver(() => ({ status: brokenAnswers, body: brokenAnswers === 200 ? "fixed" : "database is down" })),
		startReceiver(() => ({ status: 410, body: "gone for good" })),
	]);
	closedUrl = `http://127.0.0.1:${await freePort()}/hook`;
});

afterAll(async () => {
	await browser?.close();
	await Promise.all([healthy?.close(), broken?.close(), gone?.close()]);
	await stack?.dispose();
});

/** A ticket.created event about `ticket`, sent by the helpdesk; its event id. */
async function ticketEvent(ticket: number): Promise<string> {
	const response = await fetch(`${stack.url}/events`, {
		method: "POST",
		headers: { authorization: `Bearer ${E2E_TOKENS.INGEST_TOKEN}`, "content-type": "application/json" },
		body: JSON.stringify({ payload: { action_type: "ticket.created", ticket: { id: ticket, subject: `Ticket ${ticket}` } } }),
	});
	expect(response.status).toBe(202);
	return ((await response.json()) as { event_id: string }).event_id;
}

describe("the issue's path", () => {
	it("shows what fails, disables after asking, resends everything once fixed, and finds a ticket", async () => {
		const brokenUrl = `${broken.url}/hook`;
		for (const url of [`${healthy.url}/hook`, brokenUrl, closedUrl, `${gone.url}/hook`]) await stack.hivepost.createEndpoint({ url });
		const sent = [await ticketEvent(4001), await ticketEvent(4002)];
		await waitFor(async () => broken.received.length >= 2 && gone.received.length >= 1, 15_000, "the first attempts", 100);
		const findings: string[] = [];

		// 1. The home page says what fails.
		const page = await signInAsOperator(browser, stack);
		const summary = page.locator("p.summary");
		await reloadUntil(page, page.getByText("2 of 4 endpoints failing"), "two endpoints shown failing");
		await expect(summary.textContent()).resolves.toMatch(/^2 of 4 endpoints failing · \d+ retrying · \d+ failed \(24 h\)$/);
		const statusOf = (url: string) => page.locator("table.endpoints tr", { hasText: url }).locator("td[data-label=Status]").textContent();
		await expect(statusOf(brokenUrl)).resolves.toMatch(/^Failing since .* UTC .*\(\d+ in a row\)\s*500 · server error/);
		await expect(statusOf(closedUrl)).resolves.toContain("connection refused or dropped");
		await expect(statusOf(`${gone.url}/hook`)).resolves.toMatch(/^Disabled the receiver answered 410 Gone · .* UTC/);
		findings.push(...(await axeFindings(page, "the home page")));
		await shotBothWidths(page, "recovery-home");

		// 2. Disable asks first, saying what it cancels and that it can be resent.
		// The endpoints table's link (the failing banner above names it too).
		await page.getByRole("table").getByRole("link", { name: brokenUrl, exact: true }).click();
		await page.getByRole("heading", { name: brokenUrl, level: 1 }).waitFor();
		findings.push(...(await axeFindings(page, "the failing endpoint's page")));
		await page.getByRole("button", { name: `Disable ${brokenUrl}`, exact: true }).click();
		await page.getByRole("heading", { name: "Disable this endpoint?", level: 1 }).waitFor();
		await expect(page.locator("main .confirm").textContent()).resolves.toMatch(/Its 2 pending and retrying deliveries are cancelled\./);
		findings.push(...(await axeFindings(page, "the confirmation to disable")));
		await page.getByRole("button", { name: "Disable endpoint", exact: true }).click();
		await page.getByText("Disabled: its pending and retrying deliveries were cancelled").first().waitFor();
		expect(new URL(page.url()).hash).toBe("#status");
		// Events the helpdesk sends meanwhile: missed.
		sent.push(await ticketEvent(4003), await ticketEvent(4001));

		// 3. Fixed: Resend everything since … says how many, then sends every one.
		brokenAnswers = 200;
		const beforeFix = broken.received.length;
		const resent = () => new Set(broken.received.slice(beforeFix).map((webhook) => String(webhook.headers["webhook-id"])));
		await page.getByRole("button", { name: "Resend everything since …" }).click();
		await page.getByRole("heading", { name: "Resend 4 deliveries?", level: 1 }).waitFor();
		findings.push(...(await axeFindings(page, "the resend confirmation")));
		await page.getByRole("button", { name: "Resend now" }).click();
		await page.getByText("4 deliveries are on their way again.").first().waitFor();
		await waitFor(async () => sent.every((id) => resent().has(id)), 15_000, "every event at the fixed receiver", 100);
		expect(broken.received.length - beforeFix, "each event once").toBe(sent.length);
		await reloadUntil(page, page.locator(".endpoint-status .badge.working"), "the endpoint working again");
		findings.push(...(await axeFindings(page, "the endpoint's page after the resend")));
		await shotBothWidths(page, "recovery-endpoint");

		// 4. A search by ticket number.
		await page.getByRole("link", { name: "Deliveries", exact: true }).click();
		await page.getByLabel("Ticket number, event id or delivery id").fill("4001");
		await page.getByRole("button", { name: "Find" }).click();
		await page.waitForURL(/ticket_id=4001/);
		const rows = page.locator("table.deliveries tbody tr");
		// Two events about ticket 4001, each with its deliveries (the one missed included); no other ticket.
		await expect(rows.count()).resolves.toBeGreaterThanOrEqual(4);
		await expect(page.locator("table.deliveries tbody").textContent()).resolves.not.toMatch(/ticket #(?!4001)/);
		findings.push(...(await axeFindings(page, "the deliveries of a ticket")));

		// On a phone the endpoint and the last result stay in view.
		await page.setViewportSize(PHONE);
		await expectFitsPhone(page, "the deliveries of a ticket");
		expect(
			new Set(await displays(page.locator("table.deliveries td[data-label=Endpoint], table.deliveries td[data-label='Last result']"))),
		).toEqual(new Set(["block"]));
		await shotBothWidths(page, "recovery-ticket");
		expect(findings, "serious or critical axe findings").toEqual([]);
		await page.context().close();
	});
});
