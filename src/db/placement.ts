/**
 * Which database holds an account's data. A new account goes to the bound
 * database with the fewest live accounts (on a tie, the first of DB, DB_1,
 * DB_2, …), and its directory row records the choice; an account placed
 * before there were several (null) is on DB. A move (accounts/accountMover.ts)
 * changes that row at its switch.
 *
 * Requests find the database in the account row they read anyway
 * (http/accountScope.ts, the portal session). The queue consumer and the
 * retry alarms know only an account's id: they ask the directory once per
 * account and isolate, then this module's cache.
 */
import { count } from "drizzle-orm";
import { databaseNames, directoryDatabase, inList } from "./client";
import { accountDatabaseColumn, liveHelpdeskAccounts } from "./directory";
import { accounts } from "./schema";

/** Live accounts on each database the directory names; a database with none is absent. */
export async function liveAccountsPerDatabase(env: Env): Promise<Map<string, number>> {
	const rows = await directoryDatabase(env)
		.select({ database: accountDatabaseColumn, accounts: count() })
		.from(accounts)
		.where(liveHelpdeskAccounts())
		.groupBy(accountDatabaseColumn);
	return new Map(rows.map((row) => [row.database, row.accounts]));
}

/** Where a new account goes: of the bound databases, the one with the fewest live accounts, the first in order on a tie. */
export async function databaseForNewAccount(env: Env): Promise<string> {
	const names = databaseNames(env);
	// One database (a deployment that binds DB only): nothing to choose, nothing to count.
	if (names.length === 1) return names[0];
	const live = await liveAccountsPerDatabase(env);
	return names.reduce((best, name) => ((live.get(name) ?? 0) < (live.get(best) ?? 0) ? name : best));
}

/**
 * Each account's database by internal id, as the directory answered when this
 * isolate first asked. A move makes an entry stale: what writes there meets the
 * account's marker (db/moveMarkers.ts), and its caller forgets the entry
 * (`forgetPlacement`), so the next lookup reads the directory again.
 */
const placementCache = new Map<string, string>();

/** Drops the cached database of `accountId`: a move held its work there, so the directory is read again. */
export function forgetPlacement(accountId: string): void {
	placementCache.delete(accountId);
}

/**
 * The database of each of `accountIds` the directory still holds (one purged
 * since, with all its data, is missing from the answer): one directory read
 * for those not cached yet, none when all are.
 */
export async function placementsOf(env: Env, accountIds: readonly string[]): Promise<Map<string, string>> {
	const uncached = [...new Set(accountIds)].filter((id) => !placementCache.has(id));
	if (uncached.length) {
		const directory = directoryDatabase(env);
		// A batch of one: D1 reports a batch's meta (rows read), which a lone select (drizzle reads it with raw()) has not.
		const [rows] = await directory.batch([
			directory.select({ id: accounts.id, database: accountDatabaseColumn }).from(accounts).where(inList(accounts.id, uncached)),
		]);
		for (const row of rows) placementCache.set(row.id, row.database);
	}
	const found = new Map<string, string>();
	for (const id of accountIds) {
		const database = placementCache.get(id);
		if (database !== undefined) found.set(id, database);
	}
	return found;
}
