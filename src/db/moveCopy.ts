/**
 * Copying an account's rows from one database to another, in bounded steps (accounts/accountMover.ts drives them).
 * D1 cannot read across databases, so each step reads rows from the source and writes them into the target, chunked
 * within the parameter limit. Table-driven: MOVED_TABLES names every table of account data with its primary key, and
 * every step works from it. Each write replaces the rows it names (delete those keys, insert the rows read), in one
 * transaction, so a step that runs twice is harmless, and a row changed meanwhile is simply written again from the
 * change log (move_changes), which always copies the row as it is now, or removes it when it is gone.
 *
 * Deliveries are keyed by endpoint keys, which each database gives its own (db/keyedSchema.ts): they travel, and are
 * logged, under their endpoint's id, which the target turns into its own key (its endpoints are copied first, and get
 * their keys as they are written: migration 0013).
 */
import { and, asc, eq, getTableColumns, lte, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Database, insertInChunks } from "./client";
import { endpointIdOf, keyOfEndpoint, theseDeliveries } from "./keyedDeliveries";
import { deliveriesV2, endpointKeys } from "./keyedSchema";
import { moveChanges } from "./moveSchema";
import { attempts, auditLog, endpoints, events, operationalOutbox } from "./schema";

type AccountTable = SQLiteTable & { accountId: SQLiteColumn };

interface MovedTable {
	/** Its SQL name, as the triggers of migrations 0011 and 0015 log it. */
	name: string;
	table: AccountTable;
	/** The primary key's columns but for the account (as the triggers log them), by property name. */
	key: string[];
	/** deliveries_v2: keyed by endpoint key, which travels as the endpoint's id (key: endpoint id, delivery id). */
	endpointKeyed?: true;
}

/**
 * Every table of an account's data: what a move copies, and what it cleans from the source, in that order (a move's
 * progress names its table by its place here). Stats are derived from these.
 */
export const MOVED_TABLES: readonly MovedTable[] = [
	{ name: "endpoints", table: endpoints, key: ["id"] },
	{ name: "events", table: events, key: ["id"] },
	{ name: "deliveries_v2", table: deliveriesV2, key: ["endpointId", "id"], endpointKeyed: true },
	{ name: "attempts", table: attempts, key: ["deliveryId", "seq"] },
	{ name: "audit_log", table: auditLog, key: ["endpointId", "id"] },
	{ name: "operational_outbox", table: operationalOutbox, key: ["key"] },
];

type Row = Record<string, unknown>;
type Key = unknown[];

/** The columns of the primary key but for the account, as the database holds them. */
const keyColumns = (moved: MovedTable): SQLiteColumn[] => {
	if (moved.endpointKeyed) return [deliveriesV2.endpointKey, deliveriesV2.id];
	const columns = getTableColumns(moved.table) as Record<string, SQLiteColumn>;
	return moved.key.map((property) => columns[property]);
};

const keyOfRow = (moved: MovedTable, row: Row): Key => moved.key.map((property) => row[property]);

/** The rows of `moved` as they travel: a delivery with its endpoint's id beside the source's key for it. */
const travelling = (source: Database, moved: MovedTable) =>
	moved.endpointKeyed ? source.select({ ...getTableColumns(deliveriesV2), endpointId: endpointIdOf() }) : source.select();

/** Rows read from the source, as the target writes them: a delivery with the target's key for its endpoint. */
function arriving(moved: MovedTable, rows: Row[]): Row[] {
	if (!moved.endpointKeyed) return rows;
	return rows.map(({ endpointId, ...row }) => ({ ...row, endpointKey: keyOfEndpoint(endpointId as string) }));
}

/** After `after` (a key as keyOfRow gives it), in the primary key's order. */
function pastKey(moved: MovedTable, after: Key): SQL {
	const columns = keyColumns(moved);
	const values = moved.endpointKeyed
		? [keyOfEndpoint(String(after[0])), sql.param(after[1], deliveriesV2.id)]
		: after.map((value) => sql`${value}`);
	return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(values, sql`, `)})`;
}

/** The account's rows of `moved` whose keys are among `keys` (one JSON parameter, through the primary key). */
function keysIn(moved: MovedTable, accountId: string, keys: readonly Key[]): SQL {
	if (moved.endpointKeyed) {
		return theseDeliveries(
			keys.map(([endpointId, deliveryId]) => ({ accountId, endpointId: String(endpointId), deliveryId: String(deliveryId) })),
		);
	}
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

/**
 * Keys in the target for the endpoints of deliveries about to be written there, those it has none for: an endpoint
 * written in the source after the endpoints were copied, whose change is copied in a later step. Numbered on from the
 * largest, as migration 0013 numbers them; the endpoint's own insert then leaves its key be.
 */
function giveKeys(target: Database, accountId: string, rows: Row[]) {
	const endpointIds = JSON.stringify([...new Set(rows.map((row) => row.endpointId))]);
	return target.insert(endpointKeys).select(
		sql`SELECT value, ${accountId}, (SELECT coalesce(max(${endpointKeys.key}), 0) FROM ${endpointKeys}) + row_number() OVER ()
			FROM json_each(${endpointIds}) WHERE value NOT IN (SELECT ${endpointKeys.endpointId} FROM ${endpointKeys})`,
	);
}

/** Writes `rows` as the target's version of `keys`: the statements of one table's part of a step, for a batch. */
function replaceIn(target: Database, moved: MovedTable, accountId: string, keys: readonly Key[], rows: Row[]) {
	return [
		...(moved.endpointKeyed && rows.length ? [giveKeys(target, accountId, rows)] : []),
		target.delete(moved.table).where(keysIn(moved, accountId, keys)),
		...insertInChunks(target, moved.table, arriving(moved, rows) as AccountTable["$inferInsert"][]),
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
	// Past the last table: where 0.6.0 listed `deliveries`, which was never copied, in a move it saved there.
	if (!moved) return { copied: 0, last: null };
	const rows: Row[] = await travelling(source, moved)
		.from(moved.table)
		.where(and(eq(moved.table.accountId, accountId), after ? pastKey(moved, after) : undefined))
		.orderBy(...keyColumns(moved).map((column) => asc(column)))
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
	// A change to a table not among MOVED_TABLES (none is logged since migration 0017) is left.
	const keysByTable = MOVED_TABLES.map((moved) => [
		...new Map(
			changes.filter((change) => change.tableName === moved.name).map((change) => [change.rowKey, JSON.parse(change.rowKey) as Key]),
		).values(),
	]);
	const touched = MOVED_TABLES.map((moved, i) => ({ moved, keys: keysByTable[i] })).filter(({ keys }) => keys.length);
	if (!touched.length) return forgotten(source, accountId, changes);
	const [first, ...rest] = touched.map(({ moved, keys }) =>
		travelling(source, moved)
			.from(moved.table)
			.where(keysIn(moved, accountId, keys)),
	);
	const current = (await source.batch([first, ...rest])) as Row[][];
	await runAll(
		target,
		touched.flatMap(({ moved, keys }, i) => replaceIn(target, moved, accountId, keys, current[i])),
	);
	return forgotten(source, accountId, changes);
}

/** Forgets `changes` (the oldest of the account's, taken by a step), and says how many they were. */
async function forgotten(source: Database, accountId: string, changes: { seq: number }[]): Promise<number> {
	await source.delete(moveChanges).where(and(eq(moveChanges.accountId, accountId), lte(moveChanges.seq, changes[changes.length - 1].seq)));
	return changes.length;
}

/** Deletes up to `limit` of the account's rows of MOVED_TABLES[table] from `db`; returns how many it deleted. */
export async function cleanRange(db: Database, accountId: string, table: number, limit: number): Promise<number> {
	const moved = MOVED_TABLES[table];
	// Past the last table: where 0.6.0 listed `deliveries`, which migration 0017 dropped, in a move it saved there.
	if (!moved) return 0;
	const columns = sql.join(keyColumns(moved), sql`, `);
	const deleted = await db
		.delete(moved.table)
		.where(
			and(
				eq(moved.table.accountId, accountId),
				sql`(${columns}) IN (SELECT ${columns} FROM ${moved.table} WHERE ${moved.table.accountId} = ${sql.param(accountId, moved.table.accountId)} LIMIT ${limit})`,
			),
		)

		// Counted from the rows it names: D1's count of changes takes in what triggers write too.
		.returning({ deleted: sql<number>`1` });
	return deleted.length;
}

/** Forgets what the source logged for the account (once it has moved, nothing is copied from there again). */
export function forgetChanges(db: Database, accountId: string) {
	return db.delete(moveChanges).where(eq(moveChanges.accountId, accountId));
}
