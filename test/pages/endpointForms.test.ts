/**
 * Fixing fast from an endpoint's page: its recent attempts first, "Resend
 * everything since …" (how many first, then the resend, enabling it), and
 * feedback where the admin looks: each form returns to its card, its message
 * there and at the top, in plain words, every time in one format.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { pageHtml as html, page, submit, pageWords as words } from "../helpers/pages";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

/** `datetime-local`'s value (UTC, as the page labels it) `msAgo` ago. */
const typedSince = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 16);

describe("an endpoint's page", () => {
	it("starts with its recent attempts: result in words, duration and the start of the response", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		stubDestination(() => new Response("upstream exploded", { status: 502 }));
		await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
		const text = await html(`/admin/endpoints/${endpoint.id}`);
		const recent = text.slice(text.indexOf('id="recent"'), text.indexOf('id="resend"'));
		// The status once, in its badge, then the result in words.
		expect(words(recent)).toMatch(/ 502 server error The receiver failed: .* \d+ ms upstream exploded/);
		expect(text.indexOf('id="recent"')).toBeLessThan(text.indexOf('id="settings"'));
	});

	it("resends everything since a time after the receiver is fixed: how many first, then all of it, enabling the endpoint", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		stubDestination(() => new Response(null, { status: 500 }));
		await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		await ingest(fixture("ticket.created")); // missed while disabled

		const asked = await submit(`/admin/endpoints/${endpoint.id}/resend`, { since: typedSince(3_600_000) });
		expect(asked.status).toBe(200);
		const question = words(await asked.text());
		expect(question).toContain("Resend 2 deliveries?");
		expect(question).toContain("The endpoint is enabled first.");
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);

		const confirmed = await submit(`/admin/endpoints/${endpoint.id}/resend`, {
			since: new Date(Date.now() - 3_600_000).toISOString(),
			confirm: "yes",
		});
		expect(confirmed.headers.get("location")).toBe(`/admin/endpoints/${endpoint.id}?notice=resent&count=2#resend`);
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 1 }]);
		expect(await rows("SELECT DISTINCT status FROM deliveries")).toEqual([{ status: "pending" }]);
		const shown = await html(`/admin/endpoints/${endpoint.id}?notice=resent&count=2`);
		// The message at the top, and in the card acted on.
		expect(shown.match(/2 deliveries are on their way again\./g)).toHaveLength(2);
		expect(words(shown)).toMatch(/deliveries redelivered · failed, retrying, cancelled, missed since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
	});

	it("says so when there is nothing to resend", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const response = await submit(`/admin/endpoints/${endpoint.id}/resend`, { since: typedSince(60_000) });
		expect(words(await response.text())).toContain("Nothing to resend");
	});

	it("posts every form to its card, and a refusal keeps its message there and at the top, in plain words", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const text = await html(`/admin/endpoints/${endpoint.id}`);
		for (const card of ["status", "resend", "settings", "headers", "secret"]) expect(text).toMatch(new RegExp(`action="[^"]*#${card}"`));
		const refused = await submit(`/admin/endpoints/${endpoint.id}/headers`, { name: "Bad Header", value: "x" });
		expect(refused.status).toBe(422);
		const shown = await refused.text();
		expect(shown.match(/Header names can&#39;t contain spaces\. Type the value again\./g)).toHaveLength(2);
		expect(shown).not.toMatch(/Invalid request|headers\.Bad Header/);
	});

	it("shows earlier ISO times in the record of changes in the one format", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await env.DB.prepare(
			"INSERT INTO audit_log (account_id, endpoint_id, id, at, actor, action, detail) VALUES ('acc_default', ?, 'aud_0', 1, 'operator', 'failed deliveries redelivered', 'failed deliveries created since 2026-11-20T09:00:00.000Z')",
		)
			.bind(endpoint.id)
			.run();
		expect(await html(`/admin/endpoints/${endpoint.id}`)).toContain("failed deliveries created since 2026-11-20 09:00:00 UTC");
	});
});

describe("Update App", () => {
	it("names every URL it refuses, each with why, and changes nothing", async () => {
		const typed = "ftp://files.example/x, https://ok.example/hook, http://localhost:9/y";
		const response = await submit("/admin/webhooks", { urls: typed });
		expect(response.status).toBe(422);
		const items = [...(await response.text()).matchAll(/<li>([^<]*)<\/li>/g)].map((match) => match[1]);
		expect(items).toEqual([
			"ftp://files.example/x must start with http:// or https://.",
			expect.stringMatching(/^http:\/\/localhost:9\/y .+\.$/),
		]);
		expect(await rows("SELECT url FROM endpoints")).toEqual([]);
	});

	it("shows each new endpoint's signing secret once, on the page it lands on, never cached", async () => {
		await createEndpoint("https://kept.example/hook");
		const response = await submit("/admin/webhooks", { urls: "https://kept.example/hook, https://new.example/hook" });
		expect(response.status).toBe(303);
		const cookie = /hivepost_new_secrets=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] ?? "";
		expect(cookie).not.toBe("");
		const [created, kept] = await rows<{ secret: string }>("SELECT secret FROM endpoints ORDER BY url = 'https://kept.example/hook'");
		const once = await page("/admin?notice=webhooks-updated", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, cookie } });
		expect(once.headers.get("cache-control")).toBe("no-store");
		expect(once.headers.get("set-cookie")).toMatch(/hivepost_new_secrets=;.*Max-Age=0/);
		const shown = await once.text();
		expect(shown).toContain(created.secret);
		expect(shown).not.toContain(kept.secret);
		expect(await html("/admin")).not.toContain(created.secret);
	});
});
