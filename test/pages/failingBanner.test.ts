/** The banner on every page of an account while an endpoint fails, with the button that resends everything since then. */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { page, submit } from "../helpers/pages";
import {
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	request,
	runConsumer,
	runEverywhere,
	sleep,
	stubDestination,
} from "../helpers/worker";

const FAILING_SINCE = Date.UTC(2026, 10, 20, 9, 0);

async function failing() {
	await createAccount("acme");
	const endpoint = await createEndpoint("https://receiver.example/hook", { account: "acme" });
	await createEndpoint("https://fine.example/hook", { account: "acme" });
	await runEverywhere(
		"UPDATE endpoints SET consecutive_failures = 4, failing_since = ?, last_attempt_succeeded = 0, last_attempt_error = 'HTTP 503' WHERE id = ?",
		FAILING_SINCE,
		endpoint.id,
	);
	return endpoint;
}

async function portalCookie(readOnly: boolean) {
	const minted = await api("/accounts/acme/admin-links", { method: "POST", body: { read_only: readOnly } });
	const { pathname, search } = new URL((await json<{ url: string }>(minted)).url);
	const { response } = await request(`${pathname}${search}`, { redirect: "manual" });
	return /hivepost_portal=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] ?? "";
}

const banner = (html: string) => /<section class="warning" aria-label="Failing endpoints">(.*?)<\/section>/s.exec(html)?.[1] ?? null;

describe("the failing banner", () => {
	it("is on every page of the account, naming the failing endpoint, since when and its last error, with the resend button named for it", async () => {
		const endpoint = await failing();
		for (const path of ["", "/deliveries", "/events", `/endpoints/${endpoint.id}`]) {
			const shown = banner(await (await page(`/admin/accounts/acme${path}`)).text());
			expect(shown, path).toContain("https://receiver.example/hook</a>: failing since");
			expect(shown, path).toContain("2026-11-20 09:00:00 UTC");
			expect(shown, path).toContain("last error HTTP 503.");
			expect(shown, path).not.toContain("fine.example");
			expect(shown, path).toContain(`action="/admin/accounts/acme/endpoints/${endpoint.id}/resend#resend"`);
			expect(shown, path).toContain('name="since" value="2026-11-20T09:00:00.000Z"');
			// One button per failing endpoint: its accessible name says which.
			expect(shown, path).toContain('aria-label="Resend everything since then to https://receiver.example/hook"');
		}
	});

	it("resends through Resend everything since …, which asks first", async () => {
		const endpoint = await failing();
		const asked = await submit(`/admin/accounts/acme/endpoints/${endpoint.id}/resend`, { since: "2026-11-20T09:00:00.000Z" });
		expect(asked.status).toBe(200);
		expect(await asked.text()).toContain("Nothing to resend");
	});

	it("resends the delivery whose failure began the streak: it was made before that attempt", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://receiver.example/hook", { account: "acme" });
		stubDestination(() => new Response(null, { status: 500 }));
		const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		await sleep(5); // the attempt starts in a later millisecond than the delivery was made
		await runConsumer(queue.messages.map((message) => message.deliveryId));
		const html = await (await page(`/admin/accounts/acme/endpoints/${endpoint.id}`)).text();
		const since = /name="since" value="([^"]+)"/.exec(banner(html) ?? "")?.[1] ?? "";
		expect(banner(html)).toContain('name="streak" value="yes"');
		const path = `/admin/accounts/acme/endpoints/${endpoint.id}/resend`;
		// The streak's start alone is after that delivery was made: it finds nothing.
		expect(await (await submit(path, { since })).text()).toContain("Nothing to resend");
		expect(await (await submit(path, { since, streak: "yes" })).text()).toContain("Resend 1 delivery?");
	});

	it("leaves out an endpoint disabled by hand, and keeps one Hivepost disabled for failing", async () => {
		const endpoint = await failing();
		await runEverywhere("UPDATE endpoints SET enabled = 0, disabled_cause = 'manual', disabled_at = 1 WHERE id = ?", endpoint.id);
		expect(banner(await (await page("/admin/accounts/acme")).text())).toBeNull();
		await runEverywhere("UPDATE endpoints SET disabled_cause = 'failing' WHERE id = ?", endpoint.id);
		expect(banner(await (await page("/admin/accounts/acme")).text())).toContain("failing since");
	});

	it("is shown in the portal, without the button to a read-only session, and not while nothing fails", async () => {
		await createAccount("acme");
		expect(banner(await (await page("/admin/accounts/acme")).text())).toBeNull();
		const endpoint = await failing();
		for (const readOnly of [false, true]) {
			const html = await (await request("/portal", { headers: { cookie: await portalCookie(readOnly) } })).response.text();
			const shown = banner(html);
			expect(shown).toContain("failing since");
			expect(shown?.includes(`/portal/endpoints/${endpoint.id}/resend`)).toBe(!readOnly);
		}
	});
});
