/**
 * deliveries_v2 (migration 0012, db/keyedSchema.ts), which the code reads and writes since 0.6.0, holds every row the
 * releases before wrote to `deliveries`: its triggers copy each write the previous release makes while a deploy runs
 * (its own statements are replayed in test/upgrade/previousRelease.test.ts), and the cron copies the rows from before
 * those triggers in bounded steps (db/deliveriesCopy.ts). Identical is checked column by column, read back as text
 * (`uncopiedDeliveries`). Here `deliveries` is the table (vitest.config.ts), written as the previous release wrote it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import RESTORE_DELIVERIES from "../../scripts/sql/restore-deliveries.sql?raw";
import { databaseNames, directoryDatabase } from "../../src/db/client";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { copyOldDeliveries, copyStep, uncopiedDeliveries } from "../../src/db/deliveriesCopy";
import { madeAt } from "../../src/db/keyedDeliveries";
import { cleanRange, MOVED_TABLES } from "../../src/db/moveCopy";
import { deliveries } from "../../src/db/schema";
import { heldInV2, writtenBefore } from "../helpers/previousRelease";
import {
	databaseBinding,
	fixture,
	ingest,
	recordingQueues,
	rows,
	runConsumer,
	runScheduled,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const db = () => env.DB;
const count = async (table: string) => (await rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n;

/** What the previous release made rarely: a claim in flight, and a delivery made in another millisecond than its event's. */
async function rarerRows() {
	await rows(
		"UPDATE deliveries SET claim_id = 'clm_' || lower(hex(randomblob(14))), lease_until = 5 WHERE id = (SELECT min(id) FROM deliveries)",
	);
	await rows(
		`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
		SELECT account_id, 'dlv_' || printf('%012x', 1) || lower(hex(randomblob(8))), event_id, endpoint_id, 'cancelled', 0, 1, 1 FROM deliveries LIMIT 1`,
	);
}

describe("deliveries_v2, the copy of deliveries", () => {
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
		await writtenBefore(4);
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
		// Meanwhile the previous release changes every row (the triggers change the copies made, and leave the others to the
		// steps), and makes two deliveries of an event, which the triggers copy (giving the keys): the steps that reach them
		// keep those copies.
		await rows("UPDATE deliveries SET status = 'delivered', attempt_count = 1, next_attempt_at = NULL, updated_at = 2");
		await rows(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
			SELECT account_id, 'dlv_' || printf('%012x', created_at + 1) || lower(hex(randomblob(8))), event_id, endpoint_id, 'new', 0, 3, created_at + 1, 3
			FROM deliveries WHERE account_id = 'acc_default' AND created_at > 1 ORDER BY id DESC LIMIT 2`,
		);
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
		await writtenBefore(1);
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
		await writtenBefore(2);
		const deliveriesTable = MOVED_TABLES.findIndex((moved) => moved.name === "deliveries");
		expect(await cleanRange(directoryDatabase(env), DEFAULT_ACCOUNT_ID, deliveriesTable, 3)).toBe(3);
		expect(await count("deliveries")).toBe(1);
		expect(await count("deliveries_v2")).toBe(1);
	});
});

/** The file's statements, as `wrangler d1 execute --file` runs them. */
const RESTORE_STATEMENTS = RESTORE_DELIVERIES.split(/;\s*$/m).filter((statement) => statement.replace(/--.*$/gm, "").trim());

describe("restoring deliveries for a rollback to 0.5.0 (scripts/sql/restore-deliveries.sql)", () => {
	it("writes back to `deliveries` every delivery as deliveries_v2 holds it, what 0.6.0 made, changed and purged, then nothing", async () => {
		// Rows from before 0.6.0, then what 0.6.0 does: it makes new ones, delivers some of both, makes retries of the others, and
		// one is claimed.
		await writtenBefore(2);
		const before = (await rows<Record<string, string>>("SELECT account_id, id, endpoint_id FROM deliveries")).map((row) => ({
			accountId: row.account_id,
			deliveryId: row.id,
			endpointId: row.endpoint_id,
		}));
		stubDestination(({ url }) => new Response(null, { status: url.startsWith("https://failing") ? 500 : 200 }));
		const queue = recordingQueues();
		await ingest(fixture("ticket.created"), { env: testEnv(queue) });
		await runConsumer([...before, ...queue.messages]);
		await rows("UPDATE deliveries_v2 SET claim_id = randomblob(14), lease_until = 7 WHERE id = (SELECT max(id) FROM deliveries_v2)");
		// And one that 0.6.0's retention purged, whose row 0.5.0 left in `deliveries`.
		await rows("DELETE FROM deliveries_v2 WHERE id = (SELECT min(id) FROM deliveries_v2)");
		expect((await uncopiedDeliveries(db())).missing).toBeGreaterThan(0);
		const held = await heldInV2();
		expect(new Set(held.map((row) => row.status))).toEqual(new Set(["delivered", "retrying"]));
		const restore = async () => {
			const results = await db().batch(RESTORE_STATEMENTS.map((statement) => db().prepare(statement)));
			return results.reduce((sum, result) => sum + result.meta.changes, 0);
		};
		expect(await restore()).toBeGreaterThan(0);
		expect(await restore()).toBe(0);
		// `deliveries` as 0.5.0 keeps them (made at the millisecond of their ids), and deliveries_v2 as it was (0012's triggers
		// copied each row back).
		const restored = await directoryDatabase(env).select().from(deliveries).orderBy(deliveries.id);
		expect(restored).toEqual(held.map((row) => ({ ...row, createdAt: madeAt(row.id) })));
		expect(await heldInV2()).toEqual(held);
	});
});

describe("the previous release while a deploy runs (migration 0016)", () => {
	it("is refused a write of a delivery this release has changed since (it would send it again), and its delete leaves the copy", async () => {
		await writtenBefore(1);
		const [changed, inStep] = (await rows<Record<string, string>>("SELECT account_id, id, endpoint_id FROM deliveries ORDER BY id")).map(
			(row) => ({ accountId: row.account_id, deliveryId: row.id, endpointId: row.endpoint_id }),
		);
		// This release delivers one of them; `deliveries` still says it is new.
		stubDestination(() => new Response("ok"));
		await runConsumer([changed]);
		const v2Status = async (id: string) =>
			(await rows<{ status: number }>("SELECT status FROM deliveries_v2 WHERE id = unhex(substr(?, 5))", id))[0]?.status;
		expect(await v2Status(changed.deliveryId)).toBe(3);
		// 0.5.0's claim of it, as its claim statement writes it: refused, so 0.5.0 sends nothing.
		const claim = (id: string) =>
			rows(
				`UPDATE deliveries SET attempt_count = attempt_count + 1, claim_id = 'clm_' || lower(hex(randomblob(14))), lease_until = 9e12,
				updated_at = updated_at + 1 WHERE id = ? AND status IN ('new', 'pending', 'retrying')`,
				id,
			);
		await expect(claim(changed.deliveryId)).rejects.toThrow(/delivery_superseded/);
		expect(await rows("SELECT status, attempt_count FROM deliveries WHERE id = ?", changed.deliveryId)).toEqual([
			{ status: "new", attempt_count: 0 },
		]);
		expect(await v2Status(changed.deliveryId)).toBe(3);
		// A delivery still in step is claimed as before, and its copy with it.
		await claim(inStep.deliveryId);
		expect(
			await rows(
				"SELECT attempt_count, claim_id IS NOT NULL AS claimed FROM deliveries_v2 WHERE id = unhex(substr(?, 5))",
				inStep.deliveryId,
			),
		).toEqual([{ attempt_count: 1, claimed: 1 }]);
		// Deleted there (0.5.0's retention), the changed one's copy stays; the other's goes with it.
		await rows("DELETE FROM deliveries");
		expect(await v2Status(changed.deliveryId)).toBe(3);
		expect(await v2Status(inStep.deliveryId)).toBeUndefined();
	});
});
