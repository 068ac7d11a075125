/**
 * deliveries_v2 (migration 0012, db/keyedSchema.ts) is kept an identical copy of `deliveries` while the code still
 * uses that one: its triggers copy each write of every path, and the cron copies the rows from before in bounded
 * steps (db/deliveriesCopy.ts). Identical is checked column by column, read back as text (`uncopiedDeliveries`).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { databaseNames } from "../../src/db/client";
import { copyOldDeliveries, copyStep, uncopiedDeliveries } from "../../src/db/deliveriesCopy";
import { purgeExpired } from "../../src/db/retention";
import { api } from "../helpers/api";
import {
	createEndpoint,
	fixture,
	ingest,
	makeDue,
	recordingQueues,
	rows,
	runConsumer,
	runRetryAlarm,
	runScheduled,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const db = () => env.DB;
const count = async (table: string) => (await rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n;

/** What the paths above make rarely: a claim in flight, and a delivery made in another millisecond than its event's. */
async function rarerRows() {
	await rows(
		"UPDATE deliveries SET claim_id = 'clm_' || lower(hex(randomblob(14))), lease_until = 5 WHERE id = (SELECT min(id) FROM deliveries)",
	);
	await rows(
		`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
		SELECT account_id, 'dlv_' || printf('%012x', 1) || lower(hex(randomblob(8))), event_id, endpoint_id, 'cancelled', 0, 1, 1 FROM deliveries LIMIT 1`,
	);
}

/** Two endpoints, `events` events to both: the first endpoint answers 500 to its first request, the second takes every one. */
async function deliveriesOfBothKinds(events: number) {
	const failing = await createEndpoint("https://failing.example/hook");
	await createEndpoint("https://healthy.example/hook");
	const seen = new Set<string>();
	stubDestination(({ url, headers }) => {
		const id = headers.get("webhook-id") ?? "";
		const first = !seen.has(id);
		seen.add(id);
		return new Response("ok", { status: url.startsWith("https://failing") && first ? 500 : 200 });
	});
	const queue = recordingQueues();
	for (let i = 0; i < events; i++) await ingest(fixture("ticket.created"), { env: testEnv(queue) });
	return { failing, messages: queue.messages };
}

describe("deliveries_v2, the copy of deliveries", () => {
	it("is the same as deliveries, column by column, after ingest, delivery, a retry, Retry now, Redeliver and retention", async () => {
		const { failing, messages } = await deliveriesOfBothKinds(3);
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
		await runConsumer(messages);
		const [retrying] = await rows<{ id: string }>("SELECT id FROM deliveries WHERE status = 'retrying' ORDER BY id");
		expect(retrying).toBeDefined();
		await makeDue(retrying.id);
		await runRetryAlarm(retrying.id);
		// Redeliver restarts the failing endpoint's retrying deliveries in place; Retry now makes an attempt of one.
		const redeliver = { since: new Date(0).toISOString(), include: ["retrying"] };
		const redelivered = await api(`/endpoints/${failing.id}/redeliver`, { method: "POST", body: redeliver });
		expect(redelivered.status).toBe(202);
		const [restarted] = await rows<{ id: string }>("SELECT id FROM deliveries WHERE endpoint_id = ? AND status = 'pending'", failing.id);
		expect((await api(`/deliveries/${restarted.id}/retry`, { method: "POST" })).status).toBe(200);
		await rarerRows();
		expect(await rows("SELECT length(event) AS n FROM deliveries_v2 WHERE length(event) = 14")).toEqual([{ n: 14 }]);
		expect(await rows("SELECT DISTINCT ok_response FROM deliveries_v2 WHERE ok_seq IS NOT NULL")).toEqual([{ ok_response: "ok" }]);
		expect(await count("deliveries_v2")).toBe(await count("deliveries"));
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });

		await rows("UPDATE deliveries SET status = 'delivered', next_attempt_at = NULL");
		await purgeExpired({ ...env, RETENTION_DAYS: "1" }, Date.now() + 2 * 86_400_000);
		expect(await count("deliveries")).toBe(0);
		expect(await count("deliveries_v2")).toBe(0);
	});

	it("stores a delivery in about a quarter of the bytes: its ids as bytes, its endpoint as a small key", async () => {
		const { messages } = await deliveriesOfBothKinds(1);
		await runConsumer(messages);
		const [row] = await rows<{ account: string; id: number; event: number; endpoint_key: number; status: number }>(
			"SELECT account_id AS account, length(id) AS id, length(event) AS event, endpoint_key, status FROM deliveries_v2 ORDER BY endpoint_key DESC LIMIT 1",
		);
		// The healthy endpoint's (the second the account's deliveries named), delivered. The default account's id is not hex: kept as text.
		expect(row).toEqual({ account: "acc_default", id: 14, event: 8, endpoint_key: 2, status: 3 });
	});

	it("leaves out a row whose ids are not of the usual form, which the check counts, rather than refusing it", async () => {
		await rows(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			VALUES ('acc_default', 'dlv_odd', 'evt_odd', 'ep_odd', 'pending', 0, 1, 1)`,
		);
		expect(await count("deliveries")).toBe(1);
		expect(await count("deliveries_v2")).toBe(0);
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 1, extra: 0 });
	});

	it("copies the rows from before, a bounded step at a time, then stops, and keeps what a trigger copied meanwhile", async () => {
		const { messages } = await deliveriesOfBothKinds(4);
		await rarerRows();
		// As if written before migration 0012: no copies, no keys.
		await rows("DELETE FROM deliveries_v2");
		await rows("DELETE FROM endpoint_keys");
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 9, extra: 0 });

		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		// Meanwhile every row changes (the triggers change the copies made, and leave the others to the steps), and an event
		// makes two deliveries, which its triggers copy (giving the keys): the steps that reach them keep those copies.
		await runConsumer(messages);
		await ingest(fixture("ticket.created"));
		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		expect(await copyStep(db(), Date.now(), 3)).toBe(0);
		expect(await copyStep(db(), Date.now(), 3)).toBeNull();
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
		expect(await rows("SELECT key FROM endpoint_keys ORDER BY key")).toEqual([{ key: 1 }, { key: 2 }]);
	});

	it("is run by the cron, in every database, and recorded for the System page", async () => {
		await deliveriesOfBothKinds(1);
		await rows("DELETE FROM deliveries_v2");
		// Fewer than a step's worth: the first run copies them and is done; the next ones only say so.
		await runScheduled();
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
		expect(await rows("SELECT result FROM cron_runs WHERE job = 'deliveries_copy'")).toEqual([
			{ result: JSON.stringify({ copied: 2, done: 0 }) },
		]);
		expect(await copyOldDeliveries(env)).toEqual({ copied: 0, done: databaseNames(env).length });
	});
});
