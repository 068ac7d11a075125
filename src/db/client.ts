/**
 * The D1 client and the one seam through which data is reached. A deployment
 * binds `DB` (the directory: accounts, admin links, portal sessions, signed
 * ingest ids; and a database for account data too) plus any number of `DB_1`,
 * `DB_2`, …, found here by name. An account's data is in the database its
 * directory row names (db/placement.ts chooses it); `accountDatabase` reaches
 * it, `directoryDatabase` the directory, and `everyDatabase` each database
 * for the cron's whole-deployment jobs (docs/scaling.md).
 */
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { SettingError } from "../config";
import { chunk } from "../lib/chunk";
import { logError } from "../lib/log";

export type Database = ReturnType<typeof database>;

function database(binding: D1Database) {
	return drizzle(binding);
}

/** The directory's binding; also where the data of an account placed before there were several databases (null) lives. */
export const DIRECTORY_BINDING = "DB";

/** The names a database for account data is bound as: DB, DB_1, DB_2, … */
const DATABASE_BINDING = /^DB(_\d+)?$/;

/** The databases this Worker binds, by binding name: DB, then DB_1, DB_2, … in order. */
export function databaseNames(env: Env): string[] {
	const bindings = env as unknown as Record<string, Partial<D1Database> | undefined>;
	return (
		Object.keys(bindings)
			// A D1 binding: one that can prepare statements (the bench and the tests may wrap it in a proxy).
			.filter((name) => DATABASE_BINDING.test(name) && typeof bindings[name]?.prepare === "function")
			// By number: DB_2 before DB_10.
			.sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
	);
}

/**
 * The database bound as `name` (DB, DB_1, …). One that is not bound (any
 * more) is a SettingError: a route answers 503 `not_configured`, naming it.
 */
export function boundDatabase(env: Env, name: string): D1Database {
	if (!databaseNames(env).includes(name)) {
		throw new SettingError(
			`The account's data is in the D1 database ${name}, which is not bound: add its [[d1_databases]] block back to wrangler.toml and deploy.`,
		);
	}
	return (env as unknown as Record<string, D1Database>)[name];
}

/**
 * The database bound as `name`, or null when there is none: work no request
 * waits for (the queue consumer, retry alarms) leaves what is in a database
 * that is gone alone, logged with `what` it left, for the sweep there once
 * its binding is back.
 */
export function reachableDatabase(env: Env, name: string, what: Parameters<typeof logError>[1]): Database | null {
	if (databaseNames(env).includes(name)) return database(boundDatabase(env, name));
	logError("account_database_unbound", { database: name, ...what });
	return null;
}

/** Where an account's data lives: its internal id and the binding of its database. */
export interface AccountPlacement {
	id: string;
	database: string;
}

/** The database that holds an account's data (events, deliveries, attempts, endpoints, audit). */
export function accountDatabase(env: Env, account: AccountPlacement): Database {
	return database(boundDatabase(env, account.database));
}

/** Where accounts, admin links, portal sessions and signed ingest ids live. */
export function directoryDatabase(env: Env): Database {
	return database(env.DB);
}

/** Every database that holds account data: the sweep and retention visit each. */
export function everyDatabase(env: Env): Database[] {
	return databaseNames(env).map((name) => database(boundDatabase(env, name)));
}

/** An account and the database that holds its data: what every account-scoped query takes. */
export interface AccountScope {
	accountId: string;
	db: Database;
}

export function accountScope(env: Env, account: AccountPlacement): AccountScope {
	return { accountId: account.id, db: accountDatabase(env, account) };
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
export function inList(column: SQLiteColumn | SQL, values: readonly string[]): SQL {
	return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/**
 * `column = accountId` as a check only: the unary + keeps SQLite from using
 * it to choose an index. For queries already narrowed by an endpoint index
 * (endpoint ids belong to one account), where the account's primary-key
 * prefix would walk its whole history instead.
 */
export function accountCheck(column: SQLiteColumn, accountId: string): SQL {
	// Bound as the column stores it (deliveries_v2 keeps an account id as bytes).
	return sql`+${column} = ${sql.param(accountId, column)}`;
}
