/**
 * The home page tells the truth at a glance, tried as the new admin
 * would (one receiver healthy, one answering 500, a closed port, one gone):
 * the summary line with its links, one status per endpoint with the last
 * error in words and what to check, the endpoints before Update App; and
 * disabling asks first, saying what it cancels and that it can be resent.
 */
import { describe, expect, it } from "vitest";
import { pageHtml as html, submit, pageWords as words } from "../helpers/pages";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

async function fourReceivers() {
	stubDestination((request) => {
		const host = new URL(request.url).hostname;
		if (host === "closed.example") throw new Error("Network connection lost.");
		return new Response("receiver is down", { status: host === "ok.example" ? 200 : host === "gone.example" ? 410 : 500 });
	});
	const endpoints = [];
	for (const name of ["ok", "down", "closed", "gone"]) endpoints.push(await createEndpoint(`https://${name}.example/hook`));
	await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
	return endpoints;
}

describe("the home page", () => {
	it("says how many endpoints fail, what retries and what failed, each a link to its list", async () => {
		await fourReceivers();
		const text = await html("/admin");
		const summary = /<p class="summary[^"]*">(.*?)<\/p>/.exec(text)?.[1] ?? "";
		expect(words(summary).trim()).toBe("2 of 4 endpoints failing · 2 retrying · 1 failed (24 h)");
		expect(summary).toContain('href="/admin?show=failing#endpoints"');
		expect(summary).toContain('href="/admin/deliveries?status=retrying"');
		expect(summary).toMatch(/href="\/admin\/deliveries\?status=failed&amp;since=\d{4}-/);
		// The tiles count the retrying ones too, and link to what they count.
		expect(words(text)).toContain("2 retrying now");
		expect(text.indexOf('id="endpoints"')).toBeLessThan(text.indexOf('id="web-hooks"'));
	});

	it("gives each endpoint one status: working, failing since when with the last error and what to check, or disabled with why and when", async () => {
		await fourReceivers();
		const [{ disabled_at }] = await rows<{ disabled_at: number }>("SELECT disabled_at FROM endpoints WHERE url LIKE '%gone%'");
		const cells = [...(await html("/admin")).matchAll(/<td data-label="Status">(.*?)<\/td>/g)].map((match) => words(match[1]).trim());
		expect(cells[0]).toBe("Working");
		expect(cells[1]).toMatch(/^Failing since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(just now\) \(1 in a row\) 500 · server error/);
		expect(cells[1]).toContain("The receiver failed: its logs, and its response, say why.");
		expect(cells[2]).toContain("connection refused or dropped");
		expect(cells[2]).toContain("Nothing is listening at closed.example:443, or it closed the connection");
		const when = new Date(disabled_at).toISOString().slice(0, 19).replace("T", " ");
		expect(cells[3]).toBe(`Disabled the receiver answered 410 Gone · ${when} UTC (just now)`);
		// Nowhere "healthy" beside "disabled", nor a raw ISO time.
		expect(cells.join(" ")).not.toMatch(/healthy|\dT\d/);
	});

	it("shows only the failing endpoints when asked", async () => {
		await fourReceivers();
		const text = await html("/admin?show=failing");
		expect([...text.matchAll(/<td class="url" data-label="URL"><a[^>]*>([^<]*)</g)].map((match) => match[1])).toEqual([
			"https://down.example/hook",
			"https://closed.example/hook",
		]);
		expect(text).toContain("Show all");
	});
});

describe("disabling", () => {
	it("asks first, saying how many waiting deliveries it cancels and that they can be resent; confirmed, it disables", async () => {
		const [, down] = await fourReceivers();
		await ingest(fixture("ticket.created"));
		const asked = await submit(`/admin/endpoints/${down.id}/toggle`, { enabled: "false", back: "endpoint" });
		expect(asked.status).toBe(200);
		const question = words(await asked.text());
		expect(question).toContain("Disable this endpoint?");
		expect(question).toContain("Its 2 pending and retrying deliveries are cancelled.");
		expect(question).toContain("Resend everything since … on its page sends what was cancelled");
		expect(await rows("SELECT enabled FROM endpoints WHERE id = ?", down.id)).toEqual([{ enabled: 1 }]);
		const done = await submit(`/admin/endpoints/${down.id}/toggle`, { enabled: "false", back: "endpoint", confirm: "yes" });
		expect(done.headers.get("location")).toBe(`/admin/endpoints/${down.id}?notice=disabled#status`);
		expect(await rows("SELECT enabled, disabled_cause FROM endpoints WHERE id = ?", down.id)).toEqual([
			{ enabled: 0, disabled_cause: "manual" },
		]);
	});
});
