/**
 * The D1 client and the one seam through which data is reached: an account's
 * data through `accountDatabase`, the account directory through
 * `directoryDatabase`, and the cron's whole-deployment jobs through
 * `everyDatabase`. Today all three are the one `DB` binding; spreading
 * accounts over several databases changes only this file (docs/scaling.md).
 */
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { chunk } from "../lib/chunk";

export type Database = ReturnType<typeof database>;

function database(binding: D1Database) {
	return drizzle(binding);
}

/** The D1 binding that holds an account's data (events, deliveries, attempts, endpoints, audit). */
export function accountBinding(env: Env, _accountId: string): D1Database {
	return env.DB;
}

export function accountDatabase(env: Env, accountId: string): Database {
	return database(accountBinding(env, accountId));
}

/** Where accounts, admin links and portal sessions live. */
export function directoryDatabase(env: Env): Database {
	return database(env.DB);
}

/** Every database that holds account data: the sweep and retention visit each. */
export function everyDatabase(env: Env): Database[] {
	return [database(env.DB)];
}

/** An account and the database that holds its data: what every account-scoped query takes. */
export interface AccountScope {
	accountId: string;
	db: Database;
}

export function accountScope(env: Env, accountId: string): AccountScope {
	return { accountId, db: accountDatabase(env, accountId) };
}

/** D1 allows 100 bound parameters per statement. */
const MAX_BOUND_PARAMETERS = 100;

/** Multi-row inserts of `rows` into `table`, each within D1's parameter limit. For a batch. */
export function insertInChunks<Table extends SQLiteTable>(db: Database, table: Table, rows: Table["$inferInsert"][]) {
	const rowsPerInsert = Math.floor(MAX_BOUND_PARAMETERS / Object.keys(getTableColumns(table)).length);
	return chunk(rows, rowsPerInsert).map((part) => db.insert(table).values(part));
}

/** True when D1 refused a write because a unique index already holds the value. */
export function isUniqueViolation(error: unknown): boolean {
	const text = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
	return text.includes("UNIQUE constraint failed");
}

/**
 * `(first, second) IN <pairs>` with the pairs as one JSON parameter: matches
 * composite primary keys (e.g. (account_id, id)) through the key, for any
 * number of pairs within D1's parameter limit.
 */
export function pairIn(first: SQLiteColumn, second: SQLiteColumn, pairs: readonly (readonly [string, string])[]): SQL {
	return sql`(${first}, ${second}) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(${JSON.stringify(pairs)}))`;
}

/**
 * INSERT of one row only WHERE `condition` holds, in one statement (so no
 * other statement can change the answer between the check and the write).
 * `row` names every column of `table`.
 */
export function insertIf<Table extends SQLiteTable>(db: Database, table: Table, row: Required<Table["$inferInsert"]>, condition: SQL) {
	const values = Object.entries(getTableColumns(table)).map(([key, column]) => sql.param((row as Record<string, unknown>)[key], column));
	return db.insert(table).select(sql`SELECT ${sql.join(values, sql`, `)} WHERE ${condition}`);
}

/** `column IN <values>` with the values as one JSON parameter: any number of them, within D1's parameter limit. */
export function inList(column: SQLiteColumn, values: readonly string[]): SQL {
	return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/**
 * `column = accountId` as a check only: the unary + keeps SQLite from using
 * it to choose an index. For queries already narrowed by an endpoint index
 * (endpoint ids belong to one account), where the account's primary-key
 * prefix would walk its whole history instead.
 */
export function accountCheck(column: SQLiteColumn, accountId: string): SQL {
	return sql`+${column} = ${accountId}`;
}
