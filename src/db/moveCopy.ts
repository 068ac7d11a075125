/**
 * Copying an account's rows from one database to another, in bounded steps (accounts/accountMover.ts drives them).
 * D1 cannot read across databases, so each step reads rows from the source and writes them into the target, chunked
 * within the parameter limit. Table-driven: MOVED_TABLES names every table of account data with its primary key, and
 * every step works from it. Each write replaces the rows it names (delete those keys, insert the rows read), in one
 * transaction, so a step that runs twice is harmless, and a row changed meanwhile is simply written again from the
 * change log (move_changes), which always copies the row as it is now, or removes it when it is gone.
 */
import { and, asc, eq, getTableColumns, lte, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Database, insertInChunks } from "./client";
import { moveChanges } from "./moveSchema";
import { attempts, auditLog, deliveries, endpoints, events, operationalOutbox } from "./schema";

type AccountTable = SQLiteTable & { accountId: SQLiteColumn };

interface MovedTable {
	/** Its SQL name, as the triggers of migration 0011 log it. */
	name: string;
	table: AccountTable;
	/** The primary key's columns but for the account (as the triggers log them), by property name. */
	key: string[];
}

/** Every table of an account's data: what a move copies, and what it cleans from the source. Stats are derived from these. */
export const MOVED_TABLES: readonly MovedTable[] = [
	{ name: "endpoints", table: endpoints, key: ["id"] },
	{ name: "events", table: events, key: ["id"] },
	{ name: "deliveries", table: deliveries, key: ["id"] },
	{ name: "attempts", table: attempts, key: ["deliveryId", "seq"] },
	{ name: "audit_log", table: auditLog, key: ["endpointId", "id"] },
	{ name: "operational_outbox", table: operationalOutbox, key: ["key"] },
];

type Row = Record<string, unknown>;
type Key = unknown[];

const keyColumns = (moved: MovedTable): SQLiteColumn[] => {
	const columns = getTableColumns(moved.table) as Record<string, SQLiteColumn>;
	return moved.key.map((property) => columns[property]);
};

const keyOfRow = (moved: MovedTable, row: Row): Key => moved.key.map((property) => row[property]);

/** The account's rows of `moved` whose keys are among `keys` (one JSON parameter, through the primary key). */
function keysIn(moved: MovedTable, accountId: string, keys: readonly Key[]): SQL {
	const columns = keyColumns(moved);
	const picked = sql.join(
		columns.map((_, i) => sql.raw(`value ->> '$[${i}]'`)),
		sql`, `,
	);
	return and(
		eq(moved.table.accountId, accountId),
		sql`(${sql.join(columns, sql`, `)}) IN (SELECT ${picked} FROM json_each(${JSON.stringify(keys)}))`,
	) as SQL;
}

/** Writes `rows` as the target's version of `keys`: the statements of one table's part of a step, for a batch. */
function replaceIn(target: Database, moved: MovedTable, accountId: string, keys: readonly Key[], rows: Row[]) {
	return [
		target.delete(moved.table).where(keysIn(moved, accountId, keys)),
		...insertInChunks(target, moved.table, rows as AccountTable["$inferInsert"][]),
	];
}

/** Runs a step's statements in one transaction (a step with nothing to write writes nothing). */
async function runAll(db: Database, statements: ReturnType<typeof replaceIn>): Promise<void> {
	const [first, ...rest] = statements;
	if (first) await db.batch([first, ...rest]);
}

/**
 * Copies the next `limit` rows of MOVED_TABLES[table] after `after` (a key, or null from the start), in key order.
 * Returns how many it copied and the last key, or null for `last` when the table is done.
 */
export async function copyRange(source: Database, target: Database, accountId: string, table: number, after: Key | null, limit: number) {
	const moved = MOVED_TABLES[table];
	const columns = keyColumns(moved);
	const rows: Row[] = await source
		.select()
		.from(moved.table)
		.where(
			and(
				eq(moved.table.accountId, accountId),
				after
					? sql`(${sql.join(columns, sql`, `)}) > (${sql.join(
							after.map((value) => sql`${value}`),
							sql`, `,
						)})`
					: undefined,
			),
		)
		.orderBy(...columns.map((column) => asc(column)))
		.limit(limit);
	await runAll(
		target,
		replaceIn(
			target,
			moved,
			accountId,
			rows.map((row) => keyOfRow(moved, row)),
			rows,
		),
	);
	return { copied: rows.length, last: rows.length === limit ? keyOfRow(moved, rows[rows.length - 1]) : null };
}

/**
 * Copies again (or removes) the rows of the oldest `limit` changes the source logged for the account, as they are
 * now, then forgets those changes; changes logged meanwhile stay for the next step. Returns how many changes it took.
 */
export async function applyChanges(source: Database, target: Database, accountId: string, limit: number): Promise<number> {
	const changes = await source
		.select()
		.from(moveChanges)
		.where(eq(moveChanges.accountId, accountId))
		.orderBy(asc(moveChanges.seq))
		.limit(limit);
	if (!changes.length) return 0;
	const keysByTable = MOVED_TABLES.map((moved) => [
		...new Map(
			changes.filter((change) => change.tableName === moved.name).map((change) => [change.rowKey, JSON.parse(change.rowKey) as Key]),
		).values(),
	]);
	const touched = MOVED_TABLES.map((moved, i) => ({ moved, keys: keysByTable[i] })).filter(({ keys }) => keys.length);
	const [first, ...rest] = touched.map(({ moved, keys }) =>
		source
			.select()
			.from(moved.table)
			.where(keysIn(moved, accountId, keys)),
	);
	const current = (await source.batch([first, ...rest])) as Row[][];
	await runAll(
		target,
		touched.flatMap(({ moved, keys }, i) => replaceIn(target, moved, accountId, keys, current[i])),
	);
	await source.delete(moveChanges).where(and(eq(moveChanges.accountId, accountId), lte(moveChanges.seq, changes[changes.length - 1].seq)));
	return changes.length;
}

/** Deletes up to `limit` of the account's rows of MOVED_TABLES[table] from `db`; returns how many it deleted. */
export async function cleanRange(db: Database, accountId: string, table: number, limit: number): Promise<number> {
	const moved = MOVED_TABLES[table];
	const columns = sql.join(keyColumns(moved), sql`, `);
	const deleted = await db
		.delete(moved.table)
		.where(
			and(
				eq(moved.table.accountId, accountId),
				sql`(${columns}) IN (SELECT ${columns} FROM ${moved.table} WHERE ${moved.table.accountId} = ${accountId} LIMIT ${limit})`,
			),
		)

		// Counted from the rows it names: D1's count of changes takes in what triggers wrote too (migration 0012's copies).
		.returning({ deleted: sql<number>`1` });
	return deleted.length;
}

/** Forgets what the source logged for the account (once it has moved, nothing is copied from there again). */
export function forgetChanges(db: Database, accountId: string) {
	return db.delete(moveChanges).where(eq(moveChanges.accountId, accountId));
}
