/**
 * The migrations keep data: a database at the shipped schema (0000) with rows
 * in every table and deliveries in every status is migrated, and every row is
 * found again, in the `default` account.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const db = env.MIGRATION_TEST_DB;
const SHIPPED = ["0000_init.sql"];

async function all<T = Record<string, unknown>>(sql: string): Promise<T[]> {
	return (await db.prepare(sql).all<T>()).results;
}

const T0 = 1_795_000_000_000;
const OLD_ROWS = [
	`INSERT INTO endpoints (id, url, events, enabled, secret, previous_secret, previous_secret_expires_at, headers, disabled_reason,
		last_attempt_at, last_status_code, last_attempt_succeeded, last_attempt_error, created_at, updated_at, deleted_at) VALUES
		('ep_1', 'https://a.example/hook', '["*"]', 1, 'whsec_AAAA', 'whsec_OLD0', ${T0 + 86_400_000}, '{"authorization":"Bearer x"}', NULL,
			${T0}, 200, 1, NULL, ${T0}, ${T0}, NULL),
		('ep_2', 'https://b.example/hook', '["ticket.created"]', 0, 'whsec_BBBB', NULL, NULL, '{}', 'The destination answered 410 Gone',
			${T0}, 410, 0, 'HTTP 410', ${T0 + 1}, ${T0}, NULL),
		('ep_3', 'https://c.example/hook', '["*"]', 1, 'whsec_CCCC', NULL, NULL, '{}', NULL, NULL, NULL, NULL, NULL, ${T0 + 2}, ${T0}, ${T0 + 5})`,
	`INSERT INTO events (id, action_type, body, received_at, delivery_count, idempotency_key, body_hash, is_test) VALUES
		('evt_1', 'ticket.created', '{"payload":{"action_type":"ticket.created"}}', ${T0}, 6, 'key-1', 'hash1', 0),
		('evt_2', 'ticket.answered', '{"payload":{"action_type":"ticket.answered"}}', ${T0 + 10}, 1, NULL, 'hash2', 1)`,
	`INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, next_attempt_at, claim_id, created_at, updated_at) VALUES
		('dlv_pending', 'evt_1', 'ep_1', 'pending', 0, ${T0}, NULL, ${T0}, ${T0}),
		('dlv_retrying', 'evt_1', 'ep_1', 'retrying', 1, ${T0 + 3_600_000}, NULL, ${T0}, ${T0}),
		('dlv_in_flight', 'evt_1', 'ep_1', 'retrying', 2, ${T0 + 7_210_000}, 'clm_1', ${T0}, ${T0}),
		('dlv_delivered', 'evt_1', 'ep_1', 'delivered', 2, NULL, NULL, ${T0}, ${T0}),
		('dlv_failed', 'evt_1', 'ep_2', 'failed', 4, NULL, NULL, ${T0}, ${T0}),
		('dlv_cancelled', 'evt_1', 'ep_3', 'cancelled', 0, NULL, NULL, ${T0}, ${T0}),
		('dlv_test', 'evt_2', 'ep_1', 'delivered', 1, NULL, NULL, ${T0 + 10}, ${T0 + 10})`,
	`INSERT INTO attempts (delivery_id, attempt_number, manual, started_at, duration_ms, status_code, error, response_body, succeeded) VALUES
		('dlv_retrying', 1, 0, ${T0}, 12, 500, 'HTTP 500', 'down', 0),
		('dlv_in_flight', 1, 0, ${T0}, 10, NULL, 'timed out', NULL, 0),
		('dlv_delivered', 1, 0, ${T0}, 10, 503, 'HTTP 503', NULL, 0),
		('dlv_delivered', NULL, 1, ${T0 + 5}, 9, 200, NULL, 'ok', 1),
		('dlv_delivered', 2, 0, ${T0 + 9}, 9, 200, NULL, 'ok', 1),
		('dlv_failed', 1, 0, ${T0}, 8, 410, 'HTTP 410', NULL, 0),
		('dlv_test', 1, 0, ${T0 + 10}, 8, 204, NULL, NULL, 1)`,
];

describe("migrations", () => {
	it("move every existing row into the default account, losing nothing", async () => {
		const migrations = env.TEST_MIGRATIONS;
		await applyD1Migrations(
			db,
			migrations.filter((migration) => SHIPPED.includes(migration.name)),
		);
		for (const statement of OLD_ROWS) await db.prepare(statement).run();

		// Up to 0016: 0017 drops `deliveries`, whose rows a deploy first has the cron of 0.5.0 or 0.6.0 copy (deployChecks.ts).
		await applyD1Migrations(
			db,
			migrations.filter((migration) => migration.name < "0017"),
		);

		expect(await all("SELECT id, uid, name, deleted_at FROM accounts")).toEqual([
			{ id: "acc_default", uid: "default", name: "default", deleted_at: null },
			// The operator's own account (0007), for the operational endpoints.
			{ id: "acc_operator", uid: "_operator", name: "Operational webhooks", deleted_at: null },
		]);
		const endpoints = await all<Record<string, unknown>>("SELECT * FROM endpoints ORDER BY rowid");
		expect(endpoints.map((row) => [row.id, row.account_id, row.url, row.enabled, row.deleted_at])).toEqual([
			["ep_1", "acc_default", "https://a.example/hook", 1, null],
			["ep_2", "acc_default", "https://b.example/hook", 0, null],
			["ep_3", "acc_default", "https://c.example/hook", 1, T0 + 5],
		]);
		expect(JSON.parse(String(endpoints[0].previous_secrets))).toEqual([{ secret: "whsec_OLD0", expires_at: T0 + 86_400_000 }]);
		// Each endpoint from before has its key in this database (0013), numbered from 1.
		expect(await all("SELECT endpoint_id, account_id, key FROM endpoint_keys ORDER BY key")).toEqual([
			{ endpoint_id: "ep_1", account_id: "acc_default", key: 1 },
			{ endpoint_id: "ep_2", account_id: "acc_default", key: 2 },
			{ endpoint_id: "ep_3", account_id: "acc_default", key: 3 },
		]);
		expect(endpoints[0]).toMatchObject({ secret: "whsec_AAAA", headers: '{"authorization":"Bearer x"}', last_status_code: 200 });
		expect(endpoints[1]).toMatchObject({
			previous_secrets: "[]",
			disabled_reason: "The destination answered 410 Gone",
			isolated_until: null,
			// Its reason holds no time: the cause is known, the time is not.
			disabled_cause: "gone",
			disabled_at: null,
			consecutive_failures: 0,
			failing_since: null,
		});

		expect(await all("SELECT account_id, id, idempotency_key, delivery_count, is_test, body FROM events ORDER BY id")).toEqual([
			{
				account_id: "acc_default",
				id: "evt_1",
				idempotency_key: "key-1",
				delivery_count: 6,
				is_test: 0,
				body: '{"payload":{"action_type":"ticket.created"}}',
			},
			{
				account_id: "acc_default",
				id: "evt_2",
				idempotency_key: null,
				delivery_count: 1,
				is_test: 1,
				body: '{"payload":{"action_type":"ticket.answered"}}',
			},
		]);

		const deliveries = await all<Record<string, unknown>>(
			"SELECT account_id, id, status, attempt_count, next_attempt_at, claim_id, lease_until FROM deliveries ORDER BY id",
		);
		expect(deliveries).toEqual([
			{
				account_id: "acc_default",
				id: "dlv_cancelled",
				status: "cancelled",
				attempt_count: 0,
				next_attempt_at: null,
				claim_id: null,
				lease_until: null,
			},
			{
				account_id: "acc_default",
				id: "dlv_delivered",
				status: "delivered",
				attempt_count: 2,
				next_attempt_at: null,
				claim_id: null,
				lease_until: null,
			},
			{
				account_id: "acc_default",
				id: "dlv_failed",
				status: "failed",
				attempt_count: 4,
				next_attempt_at: null,
				claim_id: null,
				lease_until: null,
			},
			// The old lease end (kept in next_attempt_at while an attempt ran) becomes the lease.
			{
				account_id: "acc_default",
				id: "dlv_in_flight",
				status: "retrying",
				attempt_count: 2,
				next_attempt_at: T0 + 7_210_000,
				claim_id: "clm_1",
				lease_until: T0 + 7_210_000,
			},
			{
				account_id: "acc_default",
				id: "dlv_pending",
				status: "pending",
				attempt_count: 0,
				next_attempt_at: T0,
				claim_id: null,
				lease_until: null,
			},
			{
				account_id: "acc_default",
				id: "dlv_retrying",
				status: "retrying",
				attempt_count: 1,
				next_attempt_at: T0 + 3_600_000,
				claim_id: null,
				lease_until: null,
			},
			{
				account_id: "acc_default",
				id: "dlv_test",
				status: "delivered",
				attempt_count: 1,
				next_attempt_at: null,
				claim_id: null,
				lease_until: null,
			},
		]);

		// Attempts keep their order within each delivery as seq 1, 2, …
		expect(
			await all(
				"SELECT account_id, delivery_id, seq, attempt_number, manual, status_code, response_body FROM attempts ORDER BY delivery_id, seq",
			),
		).toEqual([
			{
				account_id: "acc_default",
				delivery_id: "dlv_delivered",
				seq: 1,
				attempt_number: 1,
				manual: 0,
				status_code: 503,
				response_body: null,
			},
			{
				account_id: "acc_default",
				delivery_id: "dlv_delivered",
				seq: 2,
				attempt_number: null,
				manual: 1,
				status_code: 200,
				response_body: "ok",
			},
			{
				account_id: "acc_default",
				delivery_id: "dlv_delivered",
				seq: 3,
				attempt_number: 2,
				manual: 0,
				status_code: 200,
				response_body: "ok",
			},
			{ account_id: "acc_default", delivery_id: "dlv_failed", seq: 1, attempt_number: 1, manual: 0, status_code: 410, response_body: null },
			{
				account_id: "acc_default",
				delivery_id: "dlv_in_flight",
				seq: 1,
				attempt_number: 1,
				manual: 0,
				status_code: null,
				response_body: null,
			},
			{
				account_id: "acc_default",
				delivery_id: "dlv_retrying",
				seq: 1,
				attempt_number: 1,
				manual: 0,
				status_code: 500,
				response_body: "down",
			},
			{ account_id: "acc_default", delivery_id: "dlv_test", seq: 1, attempt_number: 1, manual: 0, status_code: 204, response_body: null },
		]);

		// The hot tables are WITHOUT ROWID, and the unfinished-deliveries index holds only unfinished ones.
		const schema = await all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
		for (const table of ["deliveries", "attempts", "audit_log"]) {
			expect(schema.find((row) => row.name === table)?.sql).toMatch(/WITHOUT ROWID$/);
		}
		const plan = await all<{ detail: string }>(
			"EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE endpoint_id = 'ep_1' AND status IN ('pending', 'retrying') ORDER BY next_attempt_at",
		);
		expect(plan.map((row) => row.detail).join("\n")).toContain("deliveries_unfinished");

		// The rest keeps every other table's rows.
		const rowsOf = async () =>
			Object.fromEntries(
				await Promise.all(
					["endpoints", "events", "attempts", "audit_log"].map(async (table) => [table, await all(`SELECT * FROM ${table}`)]),
				),
			);
		const kept = await rowsOf();
		await applyD1Migrations(db, migrations);
		expect(await rowsOf()).toEqual(kept);
	});
});

describe("the backfill of disabled_cause and disabled_at (0005)", () => {
	it("reads a 410's time back from its reason, and a manual disable's from the audit record", async () => {
		const backfill = env.BACKFILL_TEST_DB;
		// At 0002's schema: before the columns existed.
		await applyD1Migrations(
			backfill,
			env.TEST_MIGRATIONS.filter((migration) => migration.name < "0003"),
		);
		const endpoint = (id: string, enabled: number, reason: string | null) =>
			`('acc_default', '${id}', 'https://${id}.example/hook', ${enabled}, 'whsec_X', ${reason === null ? "NULL" : `'${reason}'`}, ${T0}, ${T0 + 999})`;
		await backfill
			.prepare(
				`INSERT INTO endpoints (account_id, id, url, enabled, secret, disabled_reason, created_at, updated_at) VALUES
				${endpoint("gone", 0, "The destination answered 410 Gone on 2026-11-28T09:30:00.123Z.")},
				${endpoint("manual", 0, null)},
				${endpoint("unrecorded", 0, null)},
				${endpoint("enabled", 1, null)}`,
			)
			.run();
		await backfill
			.prepare(
				`INSERT INTO audit_log (account_id, endpoint_id, id, at, actor, action, detail) VALUES
				('acc_default', 'manual', 'aud_1', ${T0 + 10}, 'operator', 'endpoint disabled', NULL),
				('acc_default', 'manual', 'aud_2', ${T0 + 20}, 'operator', 'endpoint enabled', NULL),
				('acc_default', 'manual', 'aud_3', ${T0 + 30}, 'operator', 'endpoint disabled', NULL)`,
			)
			.run();

		await applyD1Migrations(backfill, env.TEST_MIGRATIONS);

		expect((await backfill.prepare("SELECT id, disabled_cause, disabled_at FROM endpoints ORDER BY id").all()).results).toEqual([
			{ id: "enabled", disabled_cause: null, disabled_at: null },
			{ id: "gone", disabled_cause: "gone", disabled_at: Date.parse("2026-11-28T09:30:00.123Z") },
			{ id: "manual", disabled_cause: "manual", disabled_at: T0 + 30 },
			{ id: "unrecorded", disabled_cause: "manual", disabled_at: null },
		]);
	});
});

describe("0.5.0's copy triggers as migration 0012 made them, replaced by 0014", () => {
	const shipped = env.SHIPPED_TRIGGERS_TEST_DB;
	const rowsOf = async <T = Record<string, unknown>>(sql: string, ...params: unknown[]) =>
		(
			await shipped
				.prepare(sql)
				.bind(...params)
				.all<T>()
		).results;
	/** Each table's row count. */
	const counts = async () => {
		const tables = await rowsOf<{ name: string }>(
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
		);
		const found: Record<string, number> = {};
		for (const { name } of tables) found[name] = (await rowsOf<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`))[0].n;
		return found;
	};

	it("migrates a database that applied them, keeping the rows of every table, and copies as the fixed ones do until 0017", async () => {
		// The shipped schema (0000) with rows in every table, migrated to 0.5.0 (through 0012, as it shipped), then a delivery
		// written there.
		await applyD1Migrations(
			shipped,
			env.TEST_MIGRATIONS.filter((migration) => SHIPPED.includes(migration.name)),
		);
		for (const statement of OLD_ROWS) await shipped.prepare(statement).run();
		await applyD1Migrations(
			shipped,
			env.TEST_MIGRATIONS.filter((migration) => migration.name < "0013"),
		);
		const id = `dlv_${"0".repeat(12)}${"1".repeat(16)}`;
		const event = `evt_${"0".repeat(12)}${"2".repeat(16)}`;
		await shipped
			.prepare(
				`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
				VALUES ('acc_default', ?, ?, 'ep_1', 'pending', 0, 0, 0)`,
			)
			.bind(id, event)
			.run();
		const before = await counts();
		expect(before.deliveries_v2).toBe(1);

		// Up to 0.7.0's schema: 0017 drops `deliveries` with the triggers on it.
		await applyD1Migrations(
			shipped,
			env.TEST_MIGRATIONS.filter((migration) => migration.name < "0017"),
		);

		// Every row kept; the endpoints without a key got one (0013).
		expect(await counts()).toEqual({ ...before, endpoint_keys: before.endpoint_keys + 2 });
		const keyOfEp1 = async () => (await rowsOf<{ key: number }>("SELECT key FROM endpoint_keys WHERE endpoint_id = 'ep_1'"))[0].key;
		const key = await keyOfEp1();
		// Written again over itself, the delivery keeps its endpoint's key, and its copy stays one row under it.
		await shipped
			.prepare(
				`INSERT OR REPLACE INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
				VALUES ('acc_default', ?, ?, 'ep_1', 'retrying', 1, 0, 1)`,
			)
			.bind(id, event)
			.run();
		expect(await keyOfEp1()).toBe(key);
		expect(await rowsOf("SELECT endpoint_key, status FROM deliveries_v2")).toEqual([{ endpoint_key: key, status: 2 }]);
		// An unknown status is left out of the copy, not refused.
		await shipped.prepare("UPDATE deliveries SET status = 'paused' WHERE id = ?").bind(id).run();
		expect(await rowsOf("SELECT status FROM deliveries_v2")).toEqual([{ status: 2 }]);

		// 0017 drops the old tables and keeps every delivery in deliveries_v2.
		const beforeDrop = await counts();
		await applyD1Migrations(shipped, env.TEST_MIGRATIONS);
		const { deliveries: _old, deliveries_copy: _copy, ...kept } = beforeDrop;
		expect(await counts()).toEqual(kept);
		expect(await rowsOf("SELECT status FROM deliveries_v2")).toEqual([{ status: 2 }]);
	});
});
