import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof database>;

export function database(env: Env) {
	return drizzle(env.DB, { schema });
}

/** D1 allows 100 bound parameters per statement; lists of ids are cut to fit, with room for the other parameters. */
export const MAX_IDS_PER_STATEMENT = 90;

export function chunk<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
	return chunks;
}

/** True when D1 refused a write because a unique index already holds the value. */
export function isUniqueViolation(error: unknown): boolean {
	const text = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
	return text.includes("UNIQUE constraint failed");
}
