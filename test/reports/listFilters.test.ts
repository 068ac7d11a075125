/**
 * Finding anything in the delivery log and the events list: a ticket, a time
 * range, the newest attempt's error kind and status, failing now, and Newer /
 * Older pages; each delivery with its newest attempt and its ticket.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EVENT_PAGE_SIZE, SCAN_LIMIT } from "../../src/reports/filters";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, rows, runConsumer, sleep, stubDestination } from "../helpers/worker";

interface Delivery {
	id: string;
	event_id: string;
	ticket_id: string | null;
	status: string;
	last_attempt: { status_code: number | null; error_kind: string | null; succeeded: boolean; manual: boolean } | null;
}
type DeliveryPage = { deliveries: Delivery[]; next_cursor: string | null; prev_cursor: string | null };
type EventPage = { events: { id: string; ticket_id: string | null }[]; next_cursor: string | null; prev_cursor: string | null };

/** A ticket.created event about `ticket`, ingested now; its event id and deliveries. */
async function aboutTicket(ticket: number | string | null) {
	const body = JSON.parse(fixture("ticket.created"));
	if (ticket === null) delete body.payload.ticket;
	else body.payload.ticket.id = ticket;
	const { response, queue } = await ingest(JSON.stringify(body));
	expect(response.status).toBe(202);
	await sleep(2); // its own millisecond: ids sort by time
	return { eventId: (await json<{ event_id: string }>(response)).event_id, deliveries: queue.messages.map((m) => m.deliveryId) };
}

const deliveries = async (query: string) => json<DeliveryPage>(await api(`/deliveries?${query}`));

describe("the delivery log's filters", () => {
	it("find a ticket's deliveries and events, its id kept as text", async () => {
		await createEndpoint("https://a.example/hook");
		const first = await aboutTicket(90210);
		await aboutTicket(1);
		const second = await aboutTicket("90210");
		await aboutTicket(null);
		const found = await deliveries("ticket_id=90210");
		expect(found.deliveries.map((d) => [d.event_id, d.ticket_id])).toEqual([
			[second.eventId, "90210"],
			[first.eventId, "90210"],
		]);
		const events = await json<EventPage>(await api("/events?ticket_id=90210"));
		expect(events.events.map((e) => e.id)).toEqual([second.eventId, first.eventId]);
		expect(await rows("SELECT ticket_id FROM events ORDER BY id")).toEqual([
			{ ticket_id: "90210" },
			{ ticket_id: "1" },
			{ ticket_id: "90210" },
			{ ticket_id: null },
		]);
	});

	it("take a time range, since and until both included", async () => {
		await createEndpoint("https://a.example/hook");
		await aboutTicket(1);
		const from = Date.now();
		const middle = await aboutTicket(2);
		const to = Date.now();
		await sleep(2);
		await aboutTicket(3);
		const range = `since=${new Date(from).toISOString()}&until=${new Date(to).toISOString()}`;
		expect((await deliveries(range)).deliveries.map((d) => d.event_id)).toEqual([middle.eventId]);
		expect((await json<EventPage>(await api(`/events?${range}`))).events.map((e) => e.id)).toEqual([middle.eventId]);
		expect((await api("/deliveries?since=yesterday")).status).toBe(422);
	});

	it("match the newest attempt's error kind and status, and show it on each delivery", async () => {
		await createEndpoint("https://a.example/hook");
		const statuses = [503, 200, 404];
		const made: string[] = [];
		for (const status of statuses) {
			const { deliveries: ids } = await aboutTicket(status);
			stubDestination(() => new Response(null, { status }));
			await runConsumer(ids);
			made.push(ids[0]);
		}
		const all = await deliveries("");
		expect(all.deliveries.map((d) => [d.id, d.last_attempt?.status_code, d.last_attempt?.error_kind])).toEqual([
			[made[2], 404, "not_found"],
			[made[1], 200, null],
			[made[0], 503, "server_error"],
		]);
		expect((await deliveries("error_kind=server_error")).deliveries.map((d) => d.id)).toEqual([made[0]]);
		expect((await deliveries("http_status=404")).deliveries.map((d) => d.id)).toEqual([made[2]]);
		expect((await deliveries("http_status=200&error_kind=not_found")).deliveries).toEqual([]);
		expect((await api("/deliveries?error_kind=boom")).status).toBe(422);
		expect((await api("/deliveries?http_status=5xx")).status).toBe(422);
	});

	it("show failing now: unfinished, their newest attempt failed", async () => {
		await createEndpoint("https://a.example/hook");
		stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		const failing = await aboutTicket(1);
		await runConsumer(failing.deliveries);
		const fine = await aboutTicket(2);
		await runConsumer(fine.deliveries);
		await aboutTicket(3); // pending, never tried
		expect((await deliveries("failing=true")).deliveries.map((d) => [d.id, d.status])).toEqual([[failing.deliveries[0], "retrying"]]);
	});

	it(`read on past a page of rows the kind does not match, at most ${SCAN_LIMIT} rows a page, and say where to go on`, async () => {
		await createEndpoint("https://a.example/hook");
		const {
			deliveries: [matching],
		} = await aboutTicket(1);
		stubDestination(() => new Response(null, { status: 500 }));
		await runConsumer([matching]);
		// Newer than it: more deliveries than one page reads, none of them tried.
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SCAN_LIMIT + 10})
			 INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
			 SELECT account_id, 'dlv_' || printf('%012x', created_at + 1000) || printf('%016x', i), event_id, endpoint_id, 'pending', 0, 1, created_at + 1000, 0
			 FROM n, (SELECT * FROM deliveries WHERE id = ?)`,
		)
			.bind(matching)
			.run();
		const first = await deliveries("error_kind=server_error");
		expect(first.deliveries).toEqual([]);
		expect(first.next_cursor).toEqual(expect.any(String));
		const second = await deliveries(`error_kind=server_error&before=${first.next_cursor}`);
		expect(second.deliveries.map((d) => d.id)).toEqual([matching]);
		expect(second.next_cursor).toBeNull();
	});
});

describe("Newer and Older pages", () => {
	it("go back and forth by before and after, newest first either way; cursor still works as before", async () => {
		await createEndpoint("https://a.example/hook");
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${2 * EVENT_PAGE_SIZE + 5})
			 INSERT INTO events (account_id, id, action_type, body, received_at, body_hash)
			 SELECT 'acc_default', 'evt_' || printf('%012x', 1000 + i) || '0000000000000000', 'ticket.created', '{}', 1000 + i, 'h' FROM n`,
		).run();
		const ids = (page: EventPage) => page.events.map((e) => e.id);
		const newest = await json<EventPage>(await api("/events"));
		expect(newest.events).toHaveLength(EVENT_PAGE_SIZE);
		expect(newest.prev_cursor).toBeNull();
		const older = await json<EventPage>(await api(`/events?before=${newest.next_cursor}`));
		expect(await json<EventPage>(await api(`/events?cursor=${newest.next_cursor}`))).toEqual(older);
		expect(older.prev_cursor).toBe(older.events[0].id);
		const back = await json<EventPage>(await api(`/events?after=${older.prev_cursor}`));
		expect(ids(back)).toEqual(ids(newest));
		expect(back.prev_cursor).toBeNull();
		expect(back.next_cursor).toBe(newest.next_cursor);
		const oldest = await json<EventPage>(await api(`/events?before=${older.next_cursor}`));
		expect(oldest.events).toHaveLength(5);
		expect(oldest.next_cursor).toBeNull();
	});
});

describe("the delivery log across its endpoints", () => {
	it("pages every delivery newest first, and back, however far apart in time they were made", async () => {
		const endpoints = [];
		for (const host of ["a", "b", "c"]) endpoints.push(await createEndpoint(`https://${host}.example/hook`));
		// 40 events over about 40 days, each with a delivery to every endpoint in its millisecond (so a page ends between
		// two deliveries of one millisecond); the gaps grow, so a page spans from seconds to weeks.
		const now = Date.now();
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
			 INSERT INTO events (account_id, id, action_type, body, received_at, body_hash)
			 SELECT 'acc_default', 'evt_' || printf('%012x', ?1 - i * i * 2000000) || printf('%016x', i), 'ticket.created', '{}', ?1 - i * i * 2000000, 'h' FROM n`,
		)
			.bind(now)
			.run();
		await env.DB.prepare(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			 SELECT 'acc_default', 'dlv_' || printf('%012x', received_at) || lower(hex(randomblob(8))), e.id, p.id, 'delivered', 1, received_at, received_at
			 FROM events e, (SELECT value AS id FROM json_each(?)) p`,
		)
			.bind(JSON.stringify(endpoints.map((endpoint) => endpoint.id)))
			.run();
		const all = (await rows<{ id: string }>("SELECT id FROM deliveries ORDER BY id DESC")).map((row) => row.id);
		expect(all).toHaveLength(120);
		const older: string[] = [];
		let page = await deliveries("");
		for (;;) {
			older.push(...page.deliveries.map((delivery) => delivery.id));
			if (!page.next_cursor) break;
			page = await deliveries(`before=${page.next_cursor}`);
		}
		expect(older).toEqual(all);
		const newer: string[] = [];
		page = await deliveries(`after=${all[all.length - 1]}`);
		for (;;) {
			newer.unshift(...page.deliveries.map((delivery) => delivery.id));
			if (!page.prev_cursor) break;
			page = await deliveries(`after=${page.prev_cursor}`);
		}
		expect(newer).toEqual(all.slice(0, -1));
		// Within a time range, by pages too: just the deliveries made in it.
		const [since, until] = [now - 30 * 30 * 2_000_000, now - 5 * 5 * 2_000_000];
		const inRange = all.filter((id) => Number.parseInt(id.slice(4, 16), 16) >= since && Number.parseInt(id.slice(4, 16), 16) <= until);
		expect(inRange.length).toBeGreaterThan(50);
		const range = `since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`;
		const ranged: string[] = [];
		page = await deliveries(range);
		for (;;) {
			ranged.push(...page.deliveries.map((delivery) => delivery.id));
			if (!page.next_cursor) break;
			page = await deliveries(`${range}&before=${page.next_cursor}`);
		}
		expect(ranged).toEqual(inRange);
	});
});

describe("cursors and ids that are not of the list", () => {
	const fieldsOf = async (path: string) => {
		const response = await api(path);
		expect(response.status).toBe(422);
		return (await json<{ code: string; fields: Record<string, string> }>(response)).fields;
	};

	it("are a 422 naming them, never a page read from a made-up place", async () => {
		await createEndpoint("https://a.example/hook");
		const { eventId, deliveries } = await aboutTicket(1);
		expect(await fieldsOf("/events?after=garbage")).toHaveProperty("after");
		expect(await fieldsOf("/events?before=evt_zzz")).toHaveProperty("before");
		// A delivery's id is no cursor of the events list, nor an event's of the delivery log.
		expect(await fieldsOf(`/events?after=${deliveries[0]}`)).toHaveProperty("after");
		expect(await fieldsOf(`/deliveries?before=${eventId}`)).toHaveProperty("before");
		expect(await fieldsOf("/deliveries?cursor=garbage")).toHaveProperty("cursor");
		expect(await fieldsOf("/deliveries?endpoint_id=garbage")).toHaveProperty("endpoint_id");
	});

	it("and a parameter given twice is a 422 too, not one of its values picked; one the list does not take is left alone", async () => {
		expect(await fieldsOf("/deliveries?status=delivered&status=cancelled")).toEqual({ status: "given more than once" });
		expect((await api("/deliveries?utm_source=a&utm_source=b")).status).toBe(200);
	});
});
