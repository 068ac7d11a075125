import { getTableColumns } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { chunk } from "../chunk";
import * as schema from "./schema";

export type Database = ReturnType<typeof database>;

export function database(env: Env) {
	return drizzle(env.DB, { schema });
}

/** D1 allows 100 bound parameters per statement. */
const MAX_BOUND_PARAMETERS = 100;

/** Lists of ids are cut to this size, leaving room for a statement's other parameters. */
export const MAX_IDS_PER_STATEMENT = 90;

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
