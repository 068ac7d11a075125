/**
 * What the operator sees of each account: its endpoint count and health
 * (failing endpoints: enabled ones whose health status is `failing`, as the
 * stats count them; deliveries failed in the last 24 h), read for a page of
 * accounts at once (their shapes in accountResponses.ts).
 */
import { and, count, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { accountDatabase } from "../db/client";
import type { Account } from "../db/directory";
import { deliveries, endpoints } from "../db/schema";
import { failingNow } from "../endpoints/endpointHealth";
import { idFloor } from "../lib/ids";
import { DAY_MS, iso } from "../lib/time";
import type { AccountSummary, AccountView } from "./accountResponses";

export function accountView(account: Account): AccountView {
	return { uid: account.uid, name: account.name, created_at: iso(account.createdAt) };
}

/** Summaries of `list`, in its order. Accounts are grouped by the database that holds them; today that is one read of each kind. */
export async function summarize(env: Env, list: readonly Account[], now = Date.now()): Promise<AccountSummary[]> {
	if (list.length === 0) return [];
	const db = accountDatabase(env, list[0].id);
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
			.where(and(inArray(deliveries.accountId, ids), gte(deliveries.id, idFloor("dlv", now - DAY_MS)), eq(deliveries.status, "failed")))
			.groupBy(deliveries.accountId),
	]);
	return list.map((account) => {
		const endpointRow = endpointRows.find((row) => row.accountId === account.id);
		return {
			...accountView(account),
			endpoints: endpointRow?.total ?? 0,
			health: {
				failing_endpoints: Number(endpointRow?.failing ?? 0),
				deliveries_failed_24h: failedRows.find((row) => row.accountId === account.id)?.total ?? 0,
			},
		};
	});
}
