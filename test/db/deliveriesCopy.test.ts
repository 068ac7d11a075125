/**
 * What is left of `deliveries`, where releases before 0.6.0 wrote (0.8.0 drops it): the rollback from 0.6.0 to 0.5.0,
 * which writes deliveries_v2 back there, and migration 0016, which keeps 0.5.0 from undoing what 0.6.0 did while a
 * deploy runs. Here `deliveries` is the table (vitest.config.ts), written as the previous release wrote it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import RESTORE_DELIVERIES from "../../scripts/sql/restore-deliveries.sql?raw";
import { directoryDatabase } from "../../src/db/client";
import { madeAt } from "../../src/db/keyedDeliveries";
import { deliveries } from "../../src/db/schema";
import { heldInV2, writtenBefore } from "../helpers/previousRelease";
import { fixture, ingest, recordingQueues, rows, runConsumer, stubDestination, testEnv } from "../helpers/worker";

const db = () => env.DB;

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
