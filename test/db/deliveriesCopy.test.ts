/**
 * deliveries_v2 (migration 0012, db/keyedSchema.ts) is kept an identical copy of `deliveries` while the code still
 * uses that one: its triggers copy each write of every path, and the cron copies the rows from before in bounded
 * steps (db/deliveriesCopy.ts). Identical is checked column by column, read back as text (`uncopiedDeliveries`).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { databaseNames, directoryDatabase } from "../../src/db/client";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { copyOldDeliveries, copyStep, uncopiedDeliveries } from "../../src/db/deliveriesCopy";
import { cleanRange, MOVED_TABLES } from "../../src/db/moveCopy";
import { purgeExpired } from "../../src/db/retention";
import { api } from "../helpers/api";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	databaseBinding,
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

	it("stores the ids as bytes (an account id of another form as text), the endpoint as a small key, the status as a number", async () => {
		const { messages } = await deliveriesOfBothKinds(1);
		await runConsumer(messages);
		const stored = () =>
			rows<{ account: number | string; id: number; event: number; endpoint_key: number; status: number }>(
				`SELECT CASE typeof(account_id) WHEN 'blob' THEN length(account_id) ELSE account_id END AS account, length(id) AS id,
				length(event) AS event, endpoint_key, status FROM deliveries_v2 ORDER BY endpoint_key DESC LIMIT 1`,
			);
		// The healthy endpoint's delivery (the second endpoint given a key), delivered; `acc_default` is not hex.
		expect(await stored()).toEqual([{ account: "acc_default", id: 14, event: 8, endpoint_key: 2, status: 3 }]);
		// An account made through the API has a hex id: its 14 bytes.
		await createAccount("acme");
		const acme = await accountIdOf("acme");
		await rows(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			SELECT ?, id, event_id, 'ep_' || lower(hex(randomblob(14))), status, 0, created_at, 1 FROM deliveries LIMIT 1`,
			acme,
		);
		expect(await stored()).toEqual([expect.objectContaining({ account: 14, endpoint_key: 3 })]);
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
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
		// Two more accounts' rows, before and after the default account's in key order: the steps cross from one to the next.
		for (const account of ["acc_0000", "acc_zzzz"])
			await rows(
				`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
				SELECT ?, id, event_id, 'ep_' || lower(hex(randomblob(14))), 'delivered', 1, created_at, 1 FROM deliveries WHERE account_id = 'acc_default' LIMIT 2`,
				account,
			);
		// As if written before migration 0012: no copies, no keys.
		await rows("DELETE FROM deliveries_v2");
		await rows("DELETE FROM endpoint_keys");
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 13, extra: 0 });

		// acc_0000's two rows and the default account's first.
		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		// Meanwhile every row changes (the triggers change the copies made, and leave the others to the steps), and an event
		// makes two deliveries, which its triggers copy (giving the keys): the steps that reach them keep those copies.
		await runConsumer(messages);
		await ingest(fixture("ticket.created"));
		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		expect(await copyStep(db(), Date.now(), 3)).toBe(3);
		// The default account's last two rows and its first new one (copied already), then the second and acc_zzzz's two, then
		// what is left, nothing: done.
		expect(await copyStep(db(), Date.now(), 3)).toBe(2);
		expect(await copyStep(db(), Date.now(), 3)).toBe(2);
		expect(await copyStep(db(), Date.now(), 3)).toBe(0);
		expect(await copyStep(db(), Date.now(), 3)).toBeNull();
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
		// A key each for the two endpoints and the four the other accounts' rows name, numbered from 1.
		expect(await rows("SELECT key FROM endpoint_keys ORDER BY key")).toEqual([1, 2, 3, 4, 5, 6].map((key) => ({ key })));
	});

	it("is run by the cron, in every database, and recorded for the System page", async () => {
		await deliveriesOfBothKinds(1);
		await rows("DELETE FROM deliveries_v2");
		// Fewer than a step's worth: the first run copies them and is done; the next ones only say so.
		await runScheduled();
		expect(await uncopiedDeliveries(db())).toEqual({ missing: 0, extra: 0 });
		const lastRun = async () => (await rows<{ result: string }>("SELECT result FROM cron_runs WHERE job = 'deliveries_copy'"))[0].result;
		expect(JSON.parse(await lastRun())).toEqual({ copied: 2, done: 0, failed: 0 });
		await runScheduled();
		expect(JSON.parse(await lastRun())).toEqual({ copied: 0, done: databaseNames(env).length, failed: 0 });
	});

	it("goes on in the other databases, and with the cron's other jobs, when one database's step fails", async () => {
		await databaseBinding("DB_1").prepare("ALTER TABLE deliveries_copy RENAME TO deliveries_copy_away").run();
		try {
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			expect(await copyOldDeliveries(env)).toEqual({ copied: 0, done: 0, failed: 1 });
			expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
				expect.objectContaining({ event: "deliveries_copy_failed", database: "DB_1" }),
			]);
			expect(await copyOldDeliveries(env)).toEqual({ copied: 0, done: 2, failed: 1 });
		} finally {
			await databaseBinding("DB_1").prepare("ALTER TABLE deliveries_copy_away RENAME TO deliveries_copy").run();
		}
	});

	it("leaves a move's cleaning counting the rows it deletes, not their copies deleted with them", async () => {
		await deliveriesOfBothKinds(2);
		const deliveriesTable = MOVED_TABLES.findIndex((moved) => moved.name === "deliveries");
		expect(await cleanRange(directoryDatabase(env), DEFAULT_ACCOUNT_ID, deliveriesTable, 3)).toBe(3);
		expect(await count("deliveries")).toBe(1);
		expect(await count("deliveries_v2")).toBe(1);
	});
});
