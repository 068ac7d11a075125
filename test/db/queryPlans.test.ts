/**
 * No statement walks a whole big table. Every statement the hot paths run
 * (ingest, both lanes, the retry alarm's hand-over, the sweep, the API's
 * reads with every filter, redelivery, the home and endpoint pages,
 * retention, account deletion and purging, placing a new account and finding
 * an account's database from its id), in each of the three databases, is
 * recorded and explained; none may scan
 * deliveries_v2, `events` or `attempts` without an index (the partial index of
 * unfinished deliveries, which holds nothing else, may be walked whole: the
 * sweep does, and sorts what it finds stranded by due time), nor seek an
 * account's whole history or sort an endpoint's; unfinished deliveries are
 * found by endpoint key through that index and, for the `new` ones kept out
 * of it, a recent range of each endpoint's part of the primary key. The tables grow
 * with traffic, so a full scan is a bug that only shows at scale. (Placing an
 * account counts the live accounts of each database: one pass over the
 * directory's accounts, small beside those tables, and only when an account
 * is created.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeDeletedAccounts } from "../../src/accounts/accountDeletion";
import { purgeExpired } from "../../src/db/retention";
import { sweep } from "../../src/retry/sweep";
import { api, json } from "../helpers/api";
import { page, submit } from "../helpers/pages";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import {
	createEndpoint,
	fixture,
	ingest,
	makeDue,
	recordingQueues,
	runConsumer,
	runRetryAlarm,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const BIG_TABLES = /\bSCAN (deliveries|deliveries_v2|d|events|attempts|a)\b(?! USING (?:COVERING )?INDEX deliveries_(?:v2_)?unfinished)/;
/**
 * deliveries_v2 or attempts sought by the account alone: that walks the account's whole history (keyedDeliveries.ts
 * names the endpoint keys; an endpoint's recent attempts are sought delivery by delivery).
 */
const ACCOUNT_HISTORY = /\bSEARCH (deliveries_v2|attempts) USING PRIMARY KEY \(account_id=\?\)/;

/** Each distinct statement's plan; those that scan a big table whole (or cannot be explained) are returned. */
async function fullScans(recorded: RecordedStatement[]): Promise<string[]> {
	const found: string[] = [];
	const seen = new Set<string>();
	for (const { sql, params } of recorded) {
		if (seen.has(sql)) continue;
		seen.add(sql);
		try {
			const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
				.bind(...params)
				.all<{ detail: string }>();
			const details = plan.results.map((row) => row.detail);
			if (details.some((detail) => BIG_TABLES.test(detail) || ACCOUNT_HISTORY.test(detail)))
				found.push(`${sql}\n  → ${details.join(" | ")}`);
		} catch (error) {
			found.push(`${sql}\n  → could not be explained: ${error}`);
		}
	}
	return found;
}

/** The plans of the distinct recorded statements whose SQL matches `pattern`. */
async function plansOf(recorded: RecordedStatement[], pattern: RegExp): Promise<{ sql: string; plan: string }[]> {
	const matching = [...new Map(recorded.filter(({ sql }) => pattern.test(sql)).map((statement) => [statement.sql, statement])).values()];
	return Promise.all(
		matching.map(async ({ sql, params }) => {
			const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
				.bind(...params)
				.all<{ detail: string }>();
			return { sql, plan: plan.results.map((row) => row.detail).join(" | ") };
		}),
	);
}

describe("query plans", () => {
	it("never scan deliveries, events or attempts whole on the hot paths", async () => {
		const recorded: RecordedStatement[] = [];
		const DB = recordingDatabase(recorded);
		// Every database records: acme is placed on DB_1.
		const all = { DB, DB_1: recordingDatabase(recorded, env.DB_1), DB_2: recordingDatabase(recorded, env.DB_2) };
		stubDestination((request) => new Response(null, { status: request.url.includes("fails") ? 500 : 200 }));
		expect(await json(await api("/accounts/acme", { method: "PUT", body: {}, env: all }))).toMatchObject({ database: "DB_1" });
		const ok = await createEndpoint("https://ok.example/hook");
		await createEndpoint("https://fails.example/hook");
		await createEndpoint("https://acme.example/hook", { account: "acme" });

		const { queue } = await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k-1" }, env: { DB } });
		const acme = await ingest(fixture("ticket.created"), { env: all, account: "acme" });
		await runConsumer(queue.messages, { env: { DB } });
		// Acme is new to this isolate: the consumer finds its database in the directory.
		await runConsumer(acme.queue.messages, { env: all });
		expect(
			recorded.filter(({ sql }) => / from "accounts" .*group by/i.test(sql)),
			"placing acme",
		).toHaveLength(1);
		expect(
			recorded.filter(
				({ sql, params }) =>
					/^select "id", coalesce.* from "accounts" where "accounts"."id" in/i.test(sql) &&
					JSON.stringify(params).includes(acme.queue.messages[0].accountId),
			),
			"finding acme's database",
		).toHaveLength(1);
		const failing = queue.messages.find((message) => message.endpointId !== ok.id);
		if (!failing) throw new Error("no failing delivery");
		await makeDue(failing.deliveryId);
		// The retry alarm's hand-over: its read of the delivery, and its hold for the isolation lane.
		const alarm: RecordedStatement[] = [];
		expect((await runRetryAlarm(failing.deliveryId, { env: { DB: recordingDatabase(alarm) } })).ran).toBe(true);
		expect(alarm).toHaveLength(2);
		recorded.push(...alarm);
		await runConsumer([failing], { lane: "isolation", env: { DB } });
		await sweep(testEnv(recordingQueues(), { DB }), Date.now() + 10 * 60_000);

		const ticket = JSON.parse(fixture("ticket.created")).payload.ticket.id;
		const range = `since=${new Date(Date.now() - 3_600_000).toISOString()}&until=${new Date().toISOString()}`;
		for (const path of [
			"/endpoints",
			`/endpoints/${ok.id}`,
			"/deliveries",
			`/deliveries?endpoint_id=${ok.id}`,
			`/deliveries?endpoint_id=${ok.id}&status=failed`,
			// A ticket through events_ticket, a time range through the ids, failing now through the unfinished-deliveries index.
			`/deliveries?ticket_id=${ticket}`,
			`/deliveries?${range}`,
			`/deliveries?endpoint_id=${ok.id}&${range}`,
			"/deliveries?failing=true",
			"/deliveries?error_kind=server_error&http_status=500",
			`/deliveries?after=${queue.messages[0].deliveryId}`,
			`/deliveries/${queue.messages[0].deliveryId}`,
			"/events",
			`/events?ticket_id=${ticket}`,
			`/events?${range}`,
			`/events?before=evt_${"f".repeat(28)}`,
			"/stats",
			"/accounts",
			"/accounts/acme",
		]) {
			const response = await api(path, { env: { DB } });
			expect(`${path} ${response.status}`).toBe(`${path} 200`);
		}
		const [{ id: eventId }] = (await env.DB.prepare("SELECT id FROM events WHERE account_id = 'acc_default' LIMIT 1").all<{ id: string }>())
			.results;
		expect((await api(`/events/${eventId}`, { env: { DB } })).status).toBe(200);
		expect((await page(`/admin/endpoints/${ok.id}`, {}, { env: { DB } })).status).toBe(200);
		expect((await page("/admin", {}, { env: { DB } })).status).toBe(200);
		const failingId = failing.endpointId;
		// The failing banner's Resend everything since then looks for the streak's first delivery (streakStart), then asks.
		const streak = await submit(`/admin/endpoints/${failingId}/resend`, { since: "2020-01-01T00:00", streak: "yes" }, { env: { DB } });
		expect(await streak.text()).toContain("Resend 1 delivery?");
		// Its retrying delivery cancelled, and an event missed while disabled: two to resend.
		expect((await api(`/endpoints/${failingId}`, { method: "PATCH", body: { enabled: false }, env: { DB } })).status).toBe(200);
		await ingest(fixture("ticket.created"), { env: { DB } });
		const resend = { since: "2020-01-01T00:00:00Z", include: ["failed", "retrying", "cancelled", "missed"], enable: true };
		for (const dry_run of [true, false]) {
			const response = await api(`/endpoints/${failingId}/redeliver`, { method: "POST", body: { ...resend, dry_run }, env: { DB } });
			expect(await response.json()).toMatchObject({ [dry_run ? "would_redeliver" : "redelivered"]: 2 });
		}
		expect(
			(await api(`/endpoints/${ok.id}/redeliver`, { method: "POST", body: { since: "2020-01-01T00:00:00Z" }, env: { DB } })).status,
		).toBe(202);
		expect((await api(`/endpoints/${ok.id}`, { method: "DELETE", env: { DB } })).status).toBe(204);

		await purgeExpired({ ...env, ...all }, Date.now() + 400 * 86_400_000);
		expect((await api("/accounts/acme", { method: "DELETE", env: all })).status).toBe(204);
		await purgeDeletedAccounts({ ...env, ...all });

		expect(recorded.length).toBeGreaterThan(50);
		expect(await fullScans(recorded)).toEqual([]);
		// A ticket is found through events_ticket; a time range is a range of ids (of the account, of one endpoint, or of each).
		const narrowed = await plansOf(recorded, /"ticket_id" = \?|"id" >= \? and "\w+"\."id" < \?/);
		expect(narrowed.length).toBeGreaterThanOrEqual(4);
		for (const { sql, plan } of narrowed) {
			expect(plan, sql).toMatch(
				/"ticket_id" = \?/.test(sql)
					? /USING INDEX events_ticket \(account_id=\? AND ticket_id=\?\)/
					: /\((account_id|endpoint_id|account_id=\? AND endpoint_key)=\? AND id>\? AND id<\?\)/,
			);
		}
		// One endpoint's deliveries are read in id order, up to the page's limit: never its whole history sorted.
		const oneEndpoint = await plansOf(
			recorded,
			/"endpoint_keys"\."endpoint_id" = \?\).*order by "deliveries_v2"\."id" (?:desc|asc) limit \?$/s,
		);
		expect(oneEndpoint.length).toBeGreaterThanOrEqual(3);
		for (const { sql, plan } of oneEndpoint) expect(plan, sql).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
		const streakStarts = await plansOf(recorded, /^select min\("id"\) from "deliveries_v2"/);
		expect(streakStarts).toHaveLength(1);
		expect(streakStarts[0].plan).toMatch(/PRIMARY KEY \(account_id=\? AND endpoint_key=\? AND id>\? AND id<\?\)/);
		// Unfinished deliveries by endpoint (the sweep, cancelling, counting, the stats): those in deliveries_v2_unfinished by endpoint
		// key, and the `new` ones ingest made, kept out of it, each endpoint's range of the primary key from the oldest id a new one can
		// have (the sweep's filing of aged new ones: that range alone).
		const unfinishedByEndpoint = await plansOf(recorded, /"deliveries_v2"."status" IN \(0\)/);
		expect(unfinishedByEndpoint.length).toBeGreaterThanOrEqual(6);
		for (const { sql, plan } of unfinishedByEndpoint) {
			expect(plan, sql).toMatch(
				/"status" IN \(1, 2\)/.test(sql)
					? /MULTI-INDEX OR .*deliveries_v2_unfinished \(endpoint_key=\?.*PRIMARY KEY \(account_id=\? AND endpoint_key=\? AND id>\?/
					: /PRIMARY KEY \(account_id=\? AND endpoint_key=\? AND id>\?/,
			);
		}
	});
});
