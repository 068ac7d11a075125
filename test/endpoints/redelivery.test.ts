/**
 * Redeliver after an outage (POST …/endpoints/{id}/redeliver): what `include`
 * takes (failed, retrying, cancelled, missed), `enable`, `dry_run`, bounded
 * steps, and that calling again resends nothing twice.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, apiWithQueue, json } from "../helpers/api";
import {
	createAccount,
	createEndpoint,
	dbWithConcurrentWrite,
	fixture,
	ingest,
	rows,
	runConsumer,
	sleep,
	stubDestination,
} from "../helpers/worker";

const ALL = ["failed", "retrying", "cancelled", "missed"];
const since = (msAgo = 60 * 60 * 1000) => new Date(Date.now() - msAgo).toISOString();

/** Each delivery of the endpoint (by event) with its status and automatic attempt count, oldest first. */
const deliveriesOf = (endpointId: string) =>
	rows<{ event_id: string; status: string; attempt_count: number }>(
		"SELECT event_id, status, attempt_count FROM deliveries WHERE endpoint_id = ? ORDER BY id",
		endpointId,
	);

/** An event ingested now, its id. */
async function event(actionType = "ticket.created", account?: string): Promise<string> {
	const { response } = await ingest(fixture(actionType), { account });
	return (await json<{ event_id: string }>(response)).event_id;
}

describe("redeliver", () => {
	it("restarts failed, retrying and cancelled deliveries in place, and gives each missed event a delivery", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook");
		const failed = await event();
		const retrying = await event();
		const cancelled = await event();
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((row) => row.id));
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE event_id = ?").bind(failed).run();
		await env.DB.prepare("UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL WHERE event_id = ?").bind(cancelled).run();
		// Disabled meanwhile: this event made no delivery to it.
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		const missed = await event();
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: true } });

		const { response, queue } = await apiWithQueue(`/endpoints/${endpoint.id}/redeliver`, {
			method: "POST",
			body: { since: since(), include: ALL },
		});
		expect(response.status).toBe(202);
		expect(await json(response)).toEqual({ redelivered: 4, more: false });
		expect(await deliveriesOf(endpoint.id)).toEqual(
			[failed, retrying, cancelled, missed].map((id) => ({ event_id: id, status: "pending", attempt_count: 0 })),
		);
		expect(queue.messages).toHaveLength(4);
		// History kept: the three old deliveries still have their attempt; the event counts its new delivery.
		expect(await rows("SELECT count(*) AS n FROM delivery_attempts")).toEqual([{ n: 3 }]);
		expect(await rows("SELECT delivery_count FROM events WHERE id = ?", missed)).toEqual([{ delivery_count: 1 }]);
		// The missed event's delivery is made in its millisecond: the event finds it.
		const shown = await json<{ deliveries: { endpoint_id: string }[] }>(await api(`/events/${missed}`));
		expect(shown.deliveries).toMatchObject([{ endpoint_id: endpoint.id }]);
	});

	it("takes only failed by default, and only what `include` names", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook");
		const failed = await event();
		const retrying = await event();
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((row) => row.id));
		await env.DB.prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE event_id = ?").bind(failed).run();
		expect(await json(await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since() } }))).toEqual({
			redelivered: 1,
			more: false,
		});
		expect((await deliveriesOf(endpoint.id)).map((row) => [row.event_id, row.status])).toEqual([
			[failed, "pending"],
			[retrying, "retrying"],
		]);
		const none = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: [] } });
		expect(none.status).toBe(422);
		const unknown = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ["all"] } });
		expect(await json(unknown)).toMatchObject({
			code: "validation_failed",
			fields: { "include.0": "must be one of failed, retrying, cancelled, missed" },
		});
	});

	it("resends nothing twice: a restarted delivery is pending until its attempt, and a missed event gets one delivery", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook", { events: ["ticket.created"] });
		await event();
		await event();
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((row) => row.id));
		// The first event's delivery never was: it is missed; the second's is retrying.
		await env.DB.prepare("DELETE FROM deliveries WHERE id = (SELECT min(id) FROM deliveries)").run();
		const call = () => apiWithQueue(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ALL } });
		const first = await call();
		expect(await json(first.response)).toEqual({ redelivered: 2, more: false });
		const second = await call();
		expect(await json(second.response)).toEqual({ redelivered: 0, more: false });
		expect(second.queue.messages).toEqual([]);
		expect(await rows("SELECT count(*) AS n FROM deliveries")).toEqual([{ n: 2 }]);
		// It failed again: now it needs a restart again.
		await runConsumer(first.queue.messages);
		expect(await json((await call()).response)).toEqual({ redelivered: 2, more: false });
	});

	it("resends nothing twice when two calls run at once: each write checks again what its call read", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook");
		await event();
		await event();
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((row) => row.id));
		await env.DB.prepare("DELETE FROM deliveries WHERE id = (SELECT min(id) FROM deliveries)").run();
		const body = { since: since(), include: ALL };
		let other: Response | undefined;
		const first = await api(`/endpoints/${endpoint.id}/redeliver`, {
			method: "POST",
			body,
			// The other call runs whole between this one's read and its write.
			env: {
				DB: dbWithConcurrentWrite(async () => {
					other = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body });
				}),
			},
		});
		expect(await json(other as Response)).toEqual({ redelivered: 2, more: false });
		expect(await json(first)).toEqual({ redelivered: 0, more: false });
		expect(await rows("SELECT count(*) AS n, max(attempt_count) AS attempts FROM deliveries")).toEqual([{ n: 2, attempts: 0 }]);
	});

	it("leaves alone a retrying delivery that is in an attempt right now", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://a.example/hook");
		await event();
		await runConsumer((await rows<{ id: string }>("SELECT id FROM deliveries")).map((row) => row.id));
		const live = `clm_${"1ce".repeat(8)}`;
		await env.DB.prepare("UPDATE deliveries SET claim_id = ?, lease_until = ?")
			.bind(live, Date.now() + 60_000)
			.run();
		const response = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ["retrying"] } });
		expect(await json(response)).toEqual({ redelivered: 0, more: false });
		expect(await rows("SELECT status, claim_id FROM deliveries")).toEqual([{ status: "retrying", claim_id: live }]);
	});

	it("sends a missed event only if it is not a test event, came after both `since` and the endpoint, and its filter takes it", async () => {
		await event("ticket.created"); // before the endpoint existed
		await sleep(2);
		const endpoint = await createEndpoint("https://a.example/hook", { events: ["ticket.created"] });
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		const taken = await event("ticket.created");
		await event("comment.created"); // not in its filter
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: true } });
		await api(`/endpoints/${endpoint.id}/test`, { method: "POST", body: { action_type: "ticket.created" } });
		await env.DB.prepare("DELETE FROM deliveries").run(); // the test event's delivery: gone, yet a test event is never missed
		const response = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ["missed"] } });
		expect(await json(response)).toEqual({ redelivered: 1, more: false });
		expect((await deliveriesOf(endpoint.id)).map((row) => row.event_id)).toEqual([taken]);
		// Nor before `since`.
		await env.DB.prepare("DELETE FROM deliveries").run();
		const later = await api(`/endpoints/${endpoint.id}/redeliver`, {
			method: "POST",
			body: { since: new Date(Date.now() + 1000).toISOString(), include: ["missed"] },
		});
		expect(await json(later)).toEqual({ redelivered: 0, more: false });
	});

	it("refuses a disabled endpoint with 409 unless `enable` is true, which enables it first", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		await event();
		const refused = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ALL } });
		expect(refused.status).toBe(409);
		expect(await json(refused)).toMatchObject({ code: "endpoint_disabled" });
		const done = await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since(), include: ALL, enable: true } });
		expect(await json(done)).toEqual({ redelivered: 1, more: false });
		expect(await json(await api(`/endpoints/${endpoint.id}`))).toMatchObject({
			enabled: true,
			disabled_cause: null,
			health: { status: "working" },
		});
		expect(await rows("SELECT action FROM audit_log ORDER BY action")).toEqual([
			{ action: "deliveries redelivered" },
			{ action: "endpoint created" },
			{ action: "endpoint disabled" },
			{ action: "endpoint enabled" },
		]);
	});

	it("with dry_run answers 200 with what it would send, and changes nothing", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		await event();
		await event();
		const before = await rows("SELECT * FROM deliveries");
		const { response, queue } = await apiWithQueue(`/endpoints/${endpoint.id}/redeliver`, {
			method: "POST",
			body: { since: since(), include: ALL, enable: true, dry_run: true },
		});
		expect(response.status).toBe(200);
		expect(await json(response)).toEqual({ would_redeliver: 2, more: false });
		expect(await rows("SELECT * FROM deliveries")).toEqual(before);
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);
		expect(queue.messages).toEqual([]);
	});

	it("works the same on the per-account twin, within that account only", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://a.example/hook", { account: "acme" });
		await api(`/accounts/acme/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		await event("ticket.created", "acme");
		await event(); // the default account's: never acme's to send
		const response = await api(`/accounts/acme/endpoints/${endpoint.id}/redeliver`, {
			method: "POST",
			body: { since: since(), include: ["missed"], enable: true },
		});
		expect(await json(response)).toEqual({ redelivered: 1, more: false });
		expect((await api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since: since() } })).status).toBe(404);
	});
});
