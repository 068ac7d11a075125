/**
 * Finding anything in the pages: the search box (a ticket number, an event
 * id, a delivery id), the failing-now filter, each delivery's last result in
 * words and where it stands, Newer and Older; a delivery's page with the
 * request headers sent, Retry now or Resend; error pages in the account's
 * frame; a used admin link that offers the way back to the portal.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { pageHtml as html, page, pageWords as words } from "../helpers/pages";
import { createAccount, createEndpoint, fixture, ingest, request, runConsumer, stubDestination } from "../helpers/worker";

/** An event about ticket `ticket`, its ids. */
async function aboutTicket(ticket: number) {
	const body = JSON.parse(fixture("ticket.created"));
	body.payload.ticket.id = ticket;
	const { response, queue } = await ingest(JSON.stringify(body));
	return { eventId: (await json<{ event_id: string }>(response)).event_id, deliveryIds: queue.messages.map((m) => m.deliveryId) };
}

describe("the search box", () => {
	it("goes to a delivery or an event by its id, and to a ticket's deliveries by its number", async () => {
		await createEndpoint("https://a.example/hook");
		const { eventId, deliveryIds } = await aboutTicket(4711);
		await aboutTicket(4712);
		const go = async (q: string) => (await page(`/admin/search?q=${encodeURIComponent(q)}`)).headers.get("location");
		expect(await go(deliveryIds[0])).toBe(`/admin/deliveries/${deliveryIds[0]}`);
		expect(await go(eventId)).toBe(`/admin/events/${eventId}`);
		// Pasted in capitals, still the id.
		expect(await go(eventId.toUpperCase())).toBe(`/admin/events/${eventId}`);
		expect(await go("#4711")).toBe("/admin/deliveries?ticket_id=4711");
		const found = await html("/admin/deliveries?ticket_id=4711");
		expect([...found.matchAll(/href="\/admin\/deliveries\/(dlv_\w+)"/g)].map((match) => match[1])).toEqual(deliveryIds);
		expect(words(found)).toContain("ticket #4711");
	});
});

describe("the delivery log", () => {
	it("shows each delivery's last result in words, where it stands, and the failing ones on their own", async () => {
		await createEndpoint("https://a.example/hook");
		await createEndpoint("http://closed.example:9000/hook");
		stubDestination((request) => {
			if (request.url.includes("closed")) throw new Error("Network connection lost.");
			return new Response("busy", { status: 503 });
		});
		await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
		await ingest(fixture("ticket.answered")); // not tried yet
		const rowsOf = (text: string) =>
			[...text.matchAll(/<tr><td data-label="Created">(.*?)<\/tr>/g)].map((match) => words(match[1]).replace(/^.*?ago\) /, ""));
		const all = rowsOf(await html("/admin/deliveries"));
		expect(all).toHaveLength(4);
		expect(all.filter((row) => row.includes("not tried yet"))).toHaveLength(2);
		const failing = rowsOf(await html("/admin/deliveries?failing=true"));
		expect(failing).toHaveLength(2);
		expect(failing.find((row) => row.includes("a.example"))).toMatch(
			/retrying attempt 1 of 4 · next in (1 h|5\d min) 503 · server error The receiver failed/,
		);
		expect(failing.find((row) => row.includes("closed.example"))).toContain(
			"connection refused or dropped Nothing is listening at closed.example:9000, or it closed the connection",
		);
	});

	it("pages Newer and Older, keeping the filters", async () => {
		await createEndpoint("https://a.example/hook");
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
			 INSERT INTO events (account_id, id, action_type, body, received_at, body_hash)
			 SELECT 'acc_default', 'evt_' || printf('%012x', 1000 + i) || '0000000000000000', 'ticket.created', '{}', 1000 + i, 'h' FROM n`,
		).run();
		const first = await html("/admin/events?event_type=ticket.created");
		expect(first).not.toContain("Newer");
		const older = /href="(\/admin\/events\?event_type=ticket\.created&amp;before=evt_\w+)">Older/.exec(first)?.[1];
		expect(older).toBeDefined();
		const second = await html((older as string).replaceAll("&amp;", "&"));
		expect(second).toMatch(/href="\/admin\/events\?event_type=ticket\.created&amp;after=evt_\w+">← Newer/);
		expect(second).not.toContain("Older →");
	});
});

describe("a delivery's page", () => {
	it("shows the request headers sent (custom ones as hints), and offers Resend once delivered", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { headers: { Authorization: "Bearer receiver-token-9876" } } });
		stubDestination(() => new Response("ok"));
		const { eventId, deliveryIds } = await aboutTicket(1);
		await runConsumer(deliveryIds);
		const text = await html(`/admin/deliveries/${deliveryIds[0]}`);
		const headers = words(text.slice(text.indexOf("<summary>Request headers")));
		expect(headers).toContain(`webhook-id ${eventId}`);
		expect(headers).toMatch(/webhook-timestamp \d{10} /);
		expect(headers).toContain("authorization ••••9876");
		expect(text).not.toContain("receiver-token");
		expect(text).toContain(">Resend</button>");
	});
});

describe("error pages and links", () => {
	it("keep the account's header", async () => {
		await createAccount("acme", "Acme Ltd");
		const response = await page("/admin/accounts/acme/endpoints/ep_missing");
		expect(response.status).toBe(404);
		const text = await response.text();
		expect(text).toContain('<span class="account">Acme Ltd');
		expect(words(text)).toContain("No endpoint with id ep_missing.");
		expect(text).not.toContain("GET …");
		// A path that is no page of the account: its own 404, never the default account's page.
		const missing = await page("/admin/accounts/acme/nope");
		expect(missing.status).toBe(404);
		expect(await missing.text()).toContain('<span class="account">Acme Ltd');
	});

	it("a used admin link, opened in a browser signed in to its account, still answers 410 and offers the way on to /portal", async () => {
		await createAccount("acme", "Acme Ltd");
		const { url } = await json<{ url: string }>(await api("/accounts/acme/admin-links", { method: "POST", body: {} }));
		const { pathname, search } = new URL(url);
		const opened = await request(`${pathname}${search}`, { redirect: "manual" });
		const cookie = /hivepost_portal=[^;]+/.exec(opened.response.headers.get("set-cookie") ?? "")?.[0] ?? "";
		const again = await request(`${pathname}${search}`, { redirect: "manual", headers: { cookie } });
		expect(again.response.status).toBe(410);
		const text = await again.response.text();
		expect(text).toContain('<a href="/portal">continue to the portal</a>');
		expect(text).toContain('<span class="account">Acme Ltd');
	});
});
