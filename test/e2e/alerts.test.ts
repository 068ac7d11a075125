/**
 * Operational webhooks and the operator's console, in a real Chromium against
 * the real local stack: the operator creates an account and mints an admin
 * link from the console; the account's endpoint starts failing; the
 * `endpoint.failing` message arrives at the operator's receiver (127.0.0.1)
 * and verifies with `standardwebhooks`; with a short DISABLE_AFTER_SECONDS,
 * the next failed attempt disables it and `endpoint.disabled` arrives; the
 * banner's "Resend everything since then" (after its confirmation) enables it
 * and resends, and `endpoint.recovered` arrives. axe finds nothing serious
 * or critical on any page visited. Screenshots (alerts-*) under
 * test-results/admin/.
 */
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { axeFindings, type Browser, launchBrowser, PAGE_TEST_SETTINGS, shot, signInAsOperator } from "../helpers/browser";
import { startTestStack, type TestStack } from "../helpers/localStack";

/** Seconds of failing before auto-disable: short, so the test waits for it. */
const DISABLE_AFTER_SECONDS = 4;

let stack: TestStack;
let browser: Browser;
let operatorReceiver: Receiver;
let acmeReceiver: Receiver;
/** What acme's receiver answers: it fails until it is fixed. */
let acmeStatus = 503;
let operatorSecret: string;
let operator: Page;
const findings: string[] = [];

beforeAll(async () => {
	[stack, browser, operatorReceiver, acmeReceiver] = await Promise.all([
		startTestStack({ ...PAGE_TEST_SETTINGS, ALERT_AFTER_FAILURES: "2", DISABLE_AFTER_SECONDS: String(DISABLE_AFTER_SECONDS) }),
		launchBrowser(),
		startReceiver(() => ({ status: 204 })),
		startReceiver(() => ({ status: acmeStatus })),
	]);
	operatorSecret = (await stack.hivepost.operationalEndpoints.create({ url: `${operatorReceiver.url}/hivepost` })).body.secret;
	operator = await signInAsOperator(browser, stack);
}, 120_000);

afterAll(async () => {
	await browser?.close();
	await Promise.all([operatorReceiver?.close(), acmeReceiver?.close()]);
	await stack?.dispose();
});

/** Each message the operator's receiver got, verified with the operational endpoint's secret (throws on a bad signature). */
function messages(): { type: string; data: Record<string, unknown> }[] {
	return operatorReceiver.received.map(
		(webhook) => new Webhook(operatorSecret).verify(webhook.body, webhook.headers as Record<string, string>) as never,
	);
}

async function messageOf(type: string) {
	await waitFor(() => messages().some((message) => message.type === type), 20_000, `the ${type} message`, 100);
	return messages().filter((message) => message.type === type);
}

async function check(page: Page, what: string) {
	findings.push(...(await axeFindings(page, what)));
	await shot(page, `alerts-${what}`);
}

const ingest = () => stack.hivepost.ingest(sampleBody("ticket.created"), { account: "acme" });

describe("operational webhooks, from the console to recovery", () => {
	let endpointId: string;
	let portal: Page;

	it("creates an account and mints an admin link from the console, which opens the portal", async () => {
		await operator.goto(`${stack.url}/admin/accounts`);
		await operator.getByLabel("uid", { exact: true }).fill("acme");
		await operator.getByLabel("Name", { exact: true }).fill("Acme Ltd");
		await operator.getByRole("button", { name: "Create" }).click();
		await operator.getByText("Account acme created: it is listed below.").first().waitFor();
		await check(operator, "console");
		const row = operator.locator("tr", { has: operator.getByRole("link", { name: "acme", exact: true }) });
		await row.getByRole("button", { name: "Admin link for acme", exact: true }).click();
		await operator.getByRole("heading", { name: "Admin link", level: 1 }).waitFor();
		await check(operator, "admin-link");
		const link = await operator.getByLabel("Link").inputValue();
		expect(link).toMatch(new RegExp(`^${stack.url}/portal/sign-in\\?token=`));
		portal = await (await browser.newContext()).newPage();
		await portal.goto(link);
		await portal.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();
		expect(portal.url()).toBe(`${stack.url}/portal`);
	});

	it("tells the operator once the endpoint is failing, signed with the operational endpoint's secret", async () => {
		endpointId = (await stack.hivepost.account("acme").createEndpoint({ url: `${acmeReceiver.url}/hooks` })).body.id;
		await ingest();
		await waitFor(() => acmeReceiver.received.length === 1, 10_000, "the first attempt");
		expect(messages()).toEqual([]);
		await ingest();
		const [failing] = await messageOf("endpoint.failing");
		expect(failing.data).toMatchObject({
			account: "acme",
			endpoint_id: endpointId,
			url: `${acmeReceiver.url}/hooks`,
			consecutive_failures: 2,
			last_error: "HTTP 503",
			last_error_kind: "server_error",
		});
		await portal.reload();
		await portal.getByRole("region", { name: "Failing endpoints" }).getByText("failing since").waitFor();
		await check(portal, "portal-failing");
	});

	it("disables it at a failed attempt once it has failed DISABLE_AFTER_SECONDS, telling the operator", async () => {
		const failingSince = Date.parse(String((await messageOf("endpoint.failing"))[0].data.failing_since));
		await waitFor(() => Date.now() > failingSince + DISABLE_AFTER_SECONDS * 1000 + 100, 10_000, "the streak to age");
		await ingest();
		const [disabled] = await messageOf("endpoint.disabled");
		expect(disabled.data).toMatchObject({ account: "acme", endpoint_id: endpointId, disabled_cause: "failing" });
		expect(String(disabled.data.disabled_reason)).toContain("DISABLE_AFTER_SECONDS");
		expect((await stack.hivepost.account("acme").getEndpoint(endpointId)).body).toMatchObject({
			enabled: false,
			disabled_cause: "failing",
		});
		expect(messages().filter((message) => message.type === "endpoint.failing")).toHaveLength(1);
	});

	it("recovers through the banner's Resend everything since then, and tells the operator", async () => {
		acmeStatus = 200;
		await portal.reload();
		const banner = portal.getByRole("region", { name: "Failing endpoints" });
		await banner.getByRole("button", { name: "Resend everything since then" }).click();
		await portal.getByRole("heading", { name: /^Resend \d+ deliver/, level: 1 }).waitFor();
		await check(portal, "resend-confirm");
		await portal.getByRole("button", { name: /^Resend/ }).click();
		const [recovered] = await messageOf("endpoint.recovered");
		expect(recovered.data).toMatchObject({ account: "acme", endpoint_id: endpointId });
		expect((await stack.hivepost.account("acme").getEndpoint(endpointId)).body).toMatchObject({
			enabled: true,
			health: { status: "working" },
		});
		await portal.reload();
		await expect(portal.getByRole("region", { name: "Failing endpoints" }).count()).resolves.toBe(0);
	});

	it("shows the messages on the System page, and axe finds nothing serious on any page visited", async () => {
		await operator.goto(`${stack.url}/admin/system`);
		const card = operator.locator("section[aria-labelledby=operational]");
		for (const type of ["endpoint.failing", "endpoint.disabled", "endpoint.recovered"]) await card.getByText(type).first().waitFor();
		await check(operator, "system");
		await operator.goto(`${stack.url}/admin/api`);
		await check(operator, "api-reference");
		expect(findings).toEqual([]);
	});
});
