/**
 * The previous release against the new schema: while an upgrade is under way
 * the migrations have run and the Worker still live is the previous release's.
 * Its recorded statements (releaseStatements.ts) are replayed, in order, on
 * fresh databases with every migration applied, and each must succeed and
 * return and change as many rows as it did against its own schema (replayed
 * there too, on databases of its own): apart from the rows that triggers of
 * the later migrations write to tables they keep (TRIGGER_KEPT), which D1
 * counts among a statement's changes.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromFixtureParam, newestReleaseStatements, RELEASE_PATHS, type ReleaseStatement } from "./releaseStatements";

const previous = newestReleaseStatements();

/** Bytes as lowercase hex digits. */
const hexOf = (bytes: ArrayLike<number>) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

/** Tables the later migrations' triggers write beside a statement: 0013 gives an endpoint its key when it is written. */
const TRIGGER_KEPT = ["endpoint_keys"];

/** How many rows the TRIGGER_KEPT tables hold in `db` (those it has). */
async function keptRows(db: D1Database): Promise<number> {
	const tables = await db
		.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${TRIGGER_KEPT.map(() => "?").join(", ")})`)
		.bind(...TRIGGER_KEPT)
		.all<{ name: string }>();
	let total = 0;
	for (const { name } of tables.results) total += (await db.prepare(`SELECT count(*) AS n FROM ${name}`).first<{ n: number }>())?.n ?? 0;
	return total;
}

/**
 * Runs `statements` in order, each on the database it was recorded on (`DB`
 * unless named: a move's target is `DB_1`). Values SQLite made up itself (the
 * random part of delivery ids) come out differently than when recorded: each
 * is learnt from a RETURNING clause's rows, taken in order, and put in place
 * of the recorded one in the parameters that follow. An id kept as bytes
 * (deliveries_v2) comes back as an array of numbers and is bound as bytes:
 * it is renamed by its hex digits, which its text form (`dlv_…`) spells too.
 */
async function replay(databases: Record<string, D1Database>, statements: readonly ReleaseStatement[]) {
	const renames = new Map<string, string>();
	const renamedText = (text: string) =>
		[...renames].reduce((renamedSoFar, [recorded, now]) => renamedSoFar.replaceAll(recorded, now), text);
	const renamed = (value: unknown) => {
		if (typeof value === "string") return renamedText(value);
		if (!(value instanceof ArrayBuffer || ArrayBuffer.isView(value))) return value;
		const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
		const hex = renamedText(hexOf(bytes));
		return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16)).buffer;
	};
	const outcomes: { path: string; sql: string; rows: number; changes: number; kept: number }[] = [];
	for (const statement of statements) {
		const db = databases[statement.database ?? "DB"];
		const keptBefore = await keptRows(db);
		let result: D1Result;
		try {
			result = await db
				.prepare(statement.sql)
				.bind(...statement.params.map((param) => renamed(fromFixtureParam(param))))
				.all();
		} catch (error) {
			throw new Error(`release ${previous.release}, ${statement.path}: ${statement.sql}\n  fails on the new schema: ${error}`);
		}
		const rows = result.results.map((row) => Object.values(row as Record<string, unknown>));
		statement.returned?.forEach((recordedRow, i) => {
			recordedRow.forEach((recorded, j) => {
				const now = rows[i]?.[j];
				if (typeof recorded === "string" && typeof now === "string" && recorded !== now) renames.set(recorded, now);
				if (Array.isArray(recorded) && Array.isArray(now) && hexOf(recorded) !== hexOf(now)) renames.set(hexOf(recorded), hexOf(now));
			});
		});
		const kept = (await keptRows(db)) - keptBefore;
		outcomes.push({ path: statement.path, sql: statement.sql, rows: rows.length, changes: result.meta.changes, kept });
	}
	return outcomes;
}

describe(`the previous release (${previous.release}) against every migration`, () => {
	it("has statements of every path, each path changing rows", () => {
		for (const path of RELEASE_PATHS) {
			const changed = previous.statements.filter((statement) => statement.path === path).reduce((sum, s) => sum + (s.changes ?? 0), 0);
			expect(changed, path).toBeGreaterThan(0);
		}
	});

	it("runs the statements of every path, each on its database, each returning and changing what it did before", async () => {
		const ownSchema = env.TEST_MIGRATIONS.slice(
			0,
			env.TEST_MIGRATIONS.findIndex((migration) => migration.name === `${previous.lastMigration}.sql`) + 1,
		);
		expect(ownSchema.length, `${previous.lastMigration} is among the migrations`).toBeGreaterThan(0);
		const baseline = { DB: env.UPGRADE_BASELINE_DB, DB_1: env.UPGRADE_BASELINE_DB_1 };
		for (const db of Object.values(baseline)) await applyD1Migrations(db, ownSchema);
		const databases = { DB: env.UPGRADE_TEST_DB, DB_1: env.UPGRADE_TEST_DB_1 };
		for (const db of Object.values(databases)) await applyD1Migrations(db, env.TEST_MIGRATIONS);

		const before = await replay(baseline, previous.statements);
		const after = await replay(databases, previous.statements);

		// On its own schema, as recorded.
		const recorded = previous.statements.map(({ path, sql, rows, changes }) => ({
			path,
			sql,
			// first() does not say how many rows there were, nor raw() how many changed.
			rows: rows ?? expect.any(Number),
			changes: changes ?? expect.any(Number),
		}));
		expect(before.map(({ path, sql, rows, changes }) => ({ path, sql, rows, changes }))).toEqual(recorded);
		// On every migration, the same, but for the rows the later triggers keep.
		const apartFromKept = (outcomes: typeof before) =>
			outcomes.map(({ path, sql, rows, changes, kept }) => ({ path, sql, rows, changes: changes - kept }));
		expect(apartFromKept(after)).toEqual(apartFromKept(before));
	});
});
