/**
 * What the operator sees of each account: its database, its endpoint count
 * and health (failing endpoints: enabled ones whose health status is
 * `failing`, as the stats count them; deliveries failed in the last 24 h),
 * read for a page of accounts at once, and whether it is bursting (over its
 * fair rate in the last minute, as its pacer saw it: one small call per
 * account, side by side); and of each database, its accounts and size (their
 * shapes in accountResponses.ts).
 */
import { and, count, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { accountDatabase, boundDatabase, type Database, databaseNames } from "../db/client";
import type { Account } from "../db/directory";
import { ofAccounts } from "../db/keyedDeliveries";
import { deliveriesV2 as deliveries } from "../db/keyedSchema";
import { liveAccountsPerDatabase } from "../db/placement";
import { endpoints } from "../db/schema";
import { pacerStatus } from "../delivery/pacing";
import { failingNow } from "../endpoints/endpointHealth";
import { idFloor } from "../lib/ids";
import { DAY_MS, iso } from "../lib/time";
import type { AccountSummary, AccountView } from "./accountResponses";
import { movesOf, NOT_MOVING } from "./moves";

export function accountView(account: Account): AccountView {
	return { uid: account.uid, name: account.name, created_at: iso(account.createdAt), database: account.database };
}

type Counts = Pick<AccountSummary, "endpoints" | "health">;

/**
 * Summaries of `list`, in its order: one read of each kind per database that
 * holds some of them. An account whose database is no longer bound has no
 * counts (null), so the list still shows every account.
 */
export async function summarize(env: Env, list: readonly Account[], now = Date.now()): Promise<AccountSummary[]> {
	const bound = databaseNames(env);
	const groups = [...Map.groupBy(list, (account) => account.database)].filter(([database]) => bound.includes(database));
	const [found, statuses, moves] = await Promise.all([
		Promise.all(groups.map(([, accounts]) => countsIn(accountDatabase(env, accounts[0]), accounts, now))),
		Promise.all(list.map((account) => pacerStatus(env, account.id))),
		movesOf(
			env,
			list.map((account) => account.id),
		),
	]);
	const counts = new Map(found.flat());
	return list.map((account, i) => ({
		...accountView(account),
		...(counts.get(account.id) ?? { endpoints: null, health: null }),
		bursting: statuses[i].bursting,
		...(moves.get(account.id) ?? NOT_MOVING),
	}));
}

/** The counts of `list` (accounts of one database), by account id. */
async function countsIn(db: Database, list: readonly Account[], now: number): Promise<[string, Counts][]> {
	const ids = list.map((account) => account.id);
	const [endpointRows, failedRows] = await db.batch([
		db
			.select({
				accountId: endpoints.accountId,
				total: count(),
				failing: sql<number>`sum(CASE WHEN ${failingNow()} THEN 1 ELSE 0 END)`,
			})
			.from(endpoints)
			.where(and(inArray(endpoints.accountId, ids), isNull(endpoints.deletedAt)))
			.groupBy(endpoints.accountId),
		db
			.select({ accountId: deliveries.accountId, total: count() })
			.from(deliveries)
			.where(and(ofAccounts(ids), gte(deliveries.id, idFloor("dlv", now - DAY_MS)), eq(deliveries.status, "failed")))
			.groupBy(deliveries.accountId),
	]);
	return list.map((account) => {
		const endpointRow = endpointRows.find((row) => row.accountId === account.id);
		return [
			account.id,
			{
				endpoints: endpointRow?.total ?? 0,
				health: {
					failing_endpoints: Number(endpointRow?.failing ?? 0),
					deliveries_failed_24h: failedRows.find((row) => row.accountId === account.id)?.total ?? 0,
				},
			},
		];
	});
}

/** A database as the operator's accounts page shows it. */
export interface DatabaseView {
	/** Its binding: DB, DB_1, … */
	name: string;
	/** Live accounts placed on it. */
	accounts: number;
	sizeBytes: number;
}

/** Each database the Worker binds, in order. */
export async function describeDatabases(env: Env): Promise<DatabaseView[]> {
	const bound = databaseNames(env);
	const [live, sizes] = await Promise.all([
		liveAccountsPerDatabase(env),
		Promise.all(bound.map((name) => databaseSize(boundDatabase(env, name)))),
	]);
	return bound.map((name, i) => ({ name, accounts: live.get(name) ?? 0, sizeBytes: sizes[i] }));
}

/** A database's size in bytes, as D1 reports it after any statement. */
async function databaseSize(binding: D1Database): Promise<number> {
	return (await binding.prepare("SELECT 1").run()).meta.size_after;
}
