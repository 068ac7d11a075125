/**
 * The checks `npm run deploy` makes before it changes anything
 * (scripts/lib/deployChecks.ts), on wrangler.toml text and on `wrangler
 * queues list` output as wrangler 4 prints it (recorded from a local stand-in
 * for the Cloudflare API).
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	COPY_TABLES_QUERY,
	copyProblem,
	copyStateOf,
	databaseProblems,
	executedRow,
	lastCopyRunOf,
	listedQueueNames,
	movesOf,
	movesProblem,
	OLDER_RELEASE_GONE_MS,
	olderReleaseProblem,
	queueProblems,
	readDeployConfig,
} from "../../scripts/lib/deployChecks";
import wranglerToml from "../../wrangler.toml?raw";
import { api } from "../helpers/api";
import { createAccount, rows } from "../helpers/worker";

const QUEUES_LIST = `
 ⛅️ wrangler 4.164.0
────────────────────
┌──────────────────────────────────┬─────────────────────┬──────────────────────────┬──────────────────────────┬───────────┬───────────┐
│ id                               │ name                │ created_on               │ modified_on              │ producers │ consumers │
├──────────────────────────────────┼─────────────────────┼──────────────────────────┼──────────────────────────┼───────────┼───────────┤
│ 9f2c1d7a6b3e4f5a8c0d1e2f3a4b5c6d │ hivepost-deliveries │ 2026-11-28T10:01:02.345Z │ 2026-11-28T10:01:02.345Z │ 1         │ 1         │
├──────────────────────────────────┼─────────────────────┼──────────────────────────┼──────────────────────────┼───────────┼───────────┤
│ 1a2b3c4d5e6f708192a3b4c5d6e7f809 │ other-app-jobs      │ 2026-10-01T08:00:00.000Z │ 2026-10-02T08:00:00.000Z │ 0         │ 0         │
└──────────────────────────────────┴─────────────────────┴──────────────────────────┴──────────────────────────┴───────────┴───────────┘
`;

/** A page past the last: wrangler prints its banner and no table. */
const EMPTY_PAGE = `
 ⛅️ wrangler 4.164.0
────────────────────
`;

const REAL_ID = "6d1f7c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

const toml = (databases: string) => `
name = "hivepost"
${databases}

[[queues.producers]]
binding = "DELIVERY_QUEUE"
queue = "hivepost-deliveries"

[[queues.consumers]]
queue = "hivepost-deliveries" # consumed by the same Worker: named once

[[queues.consumers]]
queue = "hivepost-isolation"
`;

describe("the deploy checks", () => {
	it("read the shipped wrangler.toml: its D1 database (still the placeholder) and its three queues", () => {
		const config = readDeployConfig(wranglerToml);
		expect(config).toEqual({
			databases: [
				{ binding: "DB", databaseName: "hivepost", databaseId: "00000000-0000-0000-0000-000000000000", migrationsDir: "migrations" },
			],
			queues: ["hivepost-deliveries", "hivepost-bulk", "hivepost-isolation"],
		});
		expect(databaseProblems(config)).toEqual([
			"The [[d1_databases]] block of binding DB still has the placeholder database_id 00000000-0000-0000-0000-000000000000. Run `npx wrangler d1 create hivepost` (or `npx wrangler d1 list` for an existing one) and put its id in wrangler.toml.",
		]);
	});

	it("stop on a D1 database without a database_id, naming its binding", () => {
		const config = readDeployConfig(
			toml(
				`[[d1_databases]]\nbinding = "DB"\ndatabase_name = "hivepost"\ndatabase_id = "${REAL_ID}"\n\n[[d1_databases]]\nbinding = "DB_2"\ndatabase_name = "hivepost-2"`,
			),
		);
		expect(databaseProblems(config)).toEqual([
			"The [[d1_databases]] block of binding DB_2 has no database_id: wrangler deploy would create a new, empty database for it, after the migrations had run elsewhere. Run `npx wrangler d1 create hivepost-2` (or `npx wrangler d1 list` for an existing one) and put its id in wrangler.toml.",
		]);
	});

	it("stop on a database_id that is not one, such as the README's <the id it printed> pasted as it is", () => {
		const config = readDeployConfig(
			toml(
				`[[d1_databases]]\nbinding = "DB"\ndatabase_name = "hivepost"\ndatabase_id = "${REAL_ID}"\n\n[[d1_databases]]\nbinding = "DB_1"\ndatabase_name = "hivepost-1"\ndatabase_id = "<the id it printed>"`,
			),
		);
		expect(databaseProblems(config)).toEqual([
			'The [[d1_databases]] block of binding DB_1 has database_id "<the id it printed>", which is not a D1 database id (a UUID, as `wrangler d1 create` prints it). Run `npx wrangler d1 create hivepost-1` (or `npx wrangler d1 list` for an existing one) and put its id in wrangler.toml.',
		]);
	});

	it("pass D1 databases with real ids", () => {
		expect(
			databaseProblems(readDeployConfig(toml(`[[d1_databases]]\nbinding = "DB"\ndatabase_name = "hivepost"\ndatabase_id = "${REAL_ID}"`))),
		).toEqual([]);
	});

	const block = (binding: string, name: string, more = "") =>
		`[[d1_databases]]\nbinding = "${binding}"\ndatabase_name = "${name}"\ndatabase_id = "${REAL_ID}"\n${more}\n`;

	it("check every database added beside DB: DB_1 and DB_2 pass with DB's migrations, written either way or left to wrangler's default", () => {
		const databases = [
			block("DB", "hivepost", 'migrations_dir = "migrations"'),
			// As `wrangler d1 create --binding DB_1` prints it for a TOML config: no migrations_dir, so wrangler's ./migrations.
			block("DB_1", "hivepost-1"),
			block("DB_2", "hivepost-2", 'migrations_dir = "./migrations/"'),
		].join("\n");
		const config = readDeployConfig(toml(databases));
		expect(config.databases.map(({ binding }) => binding)).toEqual(["DB", "DB_1", "DB_2"]);
		expect(databaseProblems(config)).toEqual([]);
	});

	it("stop on a database whose migrations are not DB's, and on a deployment without DB", () => {
		const other = toml(
			[block("DB", "hivepost", 'migrations_dir = "migrations"'), block("DB_1", "hivepost-1", 'migrations_dir = "other"')].join("\n"),
		);
		expect(databaseProblems(readDeployConfig(other))).toEqual([
			'The [[d1_databases]] block of binding DB_1 takes its migrations from other, DB from migrations: every database needs the same tables. Set migrations_dir = "migrations" in its block.',
		]);
		expect(databaseProblems(readDeployConfig(toml(block("DB_1", "hivepost-1"))))).toEqual([
			'No [[d1_databases]] block has binding = "DB": Hivepost keeps its accounts there. Add it back (README: Deploy).',
		]);
	});

	it("read the queue names from `wrangler queues list`, and none from a page past the last", () => {
		expect(listedQueueNames(QUEUES_LIST)).toEqual(["hivepost-deliveries", "other-app-jobs"]);
		expect(listedQueueNames(EMPTY_PAGE)).toEqual([]);
	});

	it("stop on each queue wrangler.toml names (producer or consumer) that the list does not show", () => {
		const config = readDeployConfig(toml(""));
		expect(queueProblems(config, listedQueueNames(QUEUES_LIST))).toEqual([
			"The queue hivepost-isolation named in wrangler.toml does not exist. Create it: `npx wrangler queues create hivepost-isolation`.",
		]);
		expect(queueProblems(config, [])).toHaveLength(2);
		expect(queueProblems(config, ["hivepost-deliveries", "hivepost-isolation"])).toEqual([]);
	});
});

/** What the deploy asks a database, as `wrangler d1 execute --json` prints it. */
const asked = async <Row>(statement: string) =>
	executedRow<Row>(JSON.stringify([{ results: (await env.DB.prepare(statement).all<Row>()).results, success: true }]));

describe("the moves check", () => {
	it("stops the deploy while an account move is under way, and lets it through once it has ended or when there is none", async () => {
		const check = async () => movesProblem(await movesOf(asked));
		expect(await check()).toBeNull();
		await createAccount("acme");
		expect((await api("/accounts/acme/move", { method: "POST", body: { database: "DB_2" } })).status).toBe(202);
		expect(await check()).toMatch(/^An account move is under way: let it end/);
		expect(movesProblem(2)).toMatch(/^2 account moves are under way: let them end/);
		await rows("DELETE FROM account_moves");
		expect(await check()).toBeNull();
	});
});

describe("the deliveries copy check", () => {
	// A database as 0.7.0 left it, before migration 0017 drops `deliveries`.
	const db = env.DEPLOY_CHECK_TEST_DB;
	const check = async () =>
		copyProblem("DB_1", await copyStateOf(async <Row>(statement: string) => (await db.prepare(statement).first<Row>()) as Row));
	const deliveryFromBefore = () =>
		db
			.prepare(
				`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
				VALUES ('acc_default', 'dlv_${"0".repeat(12)}${"1".repeat(16)}', 'evt_${"0".repeat(12)}${"2".repeat(16)}', 'ep_1', 'pending', 0, 0, 0)`,
			)
			.run();

	it("lets migration 0017 drop `deliveries` only once its rows from before 0012 are copied, or where it had none", async () => {
		await applyD1Migrations(
			db,
			env.TEST_MIGRATIONS.filter((migration) => migration.name < "0017"),
		);
		expect(await check()).toBeNull();
		// A row whose copy the cron of 0.5.0 and 0.6.0 had not yet marked done.
		await deliveryFromBefore();
		expect(await check()).toMatch(
			/^D1 database DB_1 still copies its deliveries .* this release drops the table deliveries .* deploy 0.6.0 and 0.7.0 if they are not live yet/,
		);
		await db.prepare("INSERT INTO deliveries_copy (id, done_at) VALUES (1, ?)").bind(Date.now()).run();
		expect(await check()).toBeNull();
		// Dropped: nothing left to wait for.
		await applyD1Migrations(db, env.TEST_MIGRATIONS);
		expect(await db.prepare(COPY_TABLES_QUERY).first()).toEqual({ deliveries: 0, deliveries_copy: 0 });
		expect(await check()).toBeNull();
	});

	it("stops a database from before 0.5.0, whose code writes `deliveries`, with rows or without: the releases go in order", () => {
		const before = { deliveries: 1, deliveries_copy: 0 };
		for (const anyRows of [true, false])
			expect(copyProblem("DB", { tables: before, anyRows, doneAt: null })).toMatch(
				/^D1 database DB is from before release 0.5.0, whose code writes the table deliveries .* deploy the releases in order \(0.5.0, .* then 0.6.0 and 0.7.0\)/,
			);
		expect(copyProblem("DB", { tables: { deliveries: 0, deliveries_copy: 0 }, anyRows: false, doneAt: null })).toBeNull();
	});
});

describe("the check for a release before 0.7.0", () => {
	it("stops the deploy while the cron of 0.5.0 or 0.6.0 ran its copy job within ten minutes, and lets it through after", async () => {
		const check = async () => olderReleaseProblem(await lastCopyRunOf(asked), Date.now());
		expect(await check()).toBeNull();
		await rows(
			'INSERT INTO cron_runs (job, started_at, duration_ms, result) VALUES (\'deliveries_copy\', ?, 3, \'{"copied":0,"done":1,"failed":0}\')',
			Date.now() - 2 * 60_000,
		);
		expect(await check()).toMatch(
			/^A release before 0.7.0 may still be live \(a cron copied deliveries 2 min ago, .*\).* deploy 0.7.0 first if it is not live yet/,
		);
		// Its last run, once 0.7.0 took over, is left as it was.
		await rows("UPDATE cron_runs SET started_at = ? WHERE job = 'deliveries_copy'", Date.now() - OLDER_RELEASE_GONE_MS);
		expect(await check()).toBeNull();
	});
});
