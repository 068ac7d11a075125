/**
 * The marker a move leaves for its account in a database (db/moveSchema.ts), as the rest of Hivepost meets it.
 * Statements that write one account's rows meet it through the triggers of migration 0011: refused while the account
 * is frozen for its switch (`account_moving`) and once it has moved (`account_moved`: the cached placement is stale).
 * Statements that take up many accounts' deliveries at once (claims, the sweep, the housekeeping of keys) leave a
 * marked account's rows alone in their WHERE instead, so that one account's move never fails another's work; the
 * claim's caller then finds the delivery held by a move (`heldByMove`) and sends it again a little later.
 */
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type Database, inList } from "./client";
import { accountMarkers, type MarkerState } from "./moveSchema";

/** The account of `accountColumn` has no marker here in the states `states` picks. */
function noMarker(accountColumn: SQLiteColumn | SQL, states: SQL): SQL {
	return sql`NOT EXISTS (SELECT 1 FROM ${accountMarkers} WHERE ${accountMarkers.accountId} = ${accountColumn} AND ${states})`;
}

/**
 * The account of `accountColumn` is not held here by a move: no marker, or one that only logs its changes
 * (`copying`). Claims and the sweep take only these.
 */
export function untouchedByMove(accountColumn: SQLiteColumn | SQL): SQL {
	return noMarker(accountColumn, sql`${accountMarkers.state} <> 'copying'`);
}

/**
 * The account's rows in this database are its own, not the copy a move is making of it (`incoming`) nor what one
 * left behind (`moved`): what a count over every database takes, so that a moving account counts once.
 */
export function liveHere(accountColumn: SQLiteColumn | SQL): SQL {
	return noMarker(accountColumn, sql`${accountMarkers.state} IN ('incoming', 'moved')`);
}

/** Of `accountIds`, those a move holds in this database (marked, but not merely copying): their work waits or goes elsewhere. */
export async function heldByMove(db: Database, accountIds: readonly string[]): Promise<Set<string>> {
	const rows = await db
		.select({ accountId: accountMarkers.accountId })
		.from(accountMarkers)
		.where(sql`${inList(accountMarkers.accountId, [...new Set(accountIds)])} AND ${accountMarkers.state} <> 'copying'`);
	return new Set(rows.map((row) => row.accountId));
}

/** Sets (or replaces) the account's marker in `db`. For a batch. */
export function markAccount(db: Database, accountId: string, state: MarkerState, now: number) {
	return db
		.insert(accountMarkers)
		.values({ accountId, state, at: now })
		.onConflictDoUpdate({ target: accountMarkers.accountId, set: { state, at: now } });
}

/** True when D1 refused a write because its account is frozen for a move's switch or has moved (the triggers' RAISE). */
export function isMoveRefusal(error: unknown): boolean {
	const text = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
	return text.includes("account_moving") || text.includes("account_moved");
}

/** How long work held by a move waits before it looks again (its message sent again, its alarm re-armed). */
export const MOVE_WAIT_MS = 5_000;
