/**
 * What the operator sees of each account: its endpoint count and health
 * (failing endpoints: live ones whose newest attempt failed; deliveries
 * failed in the last 24 h), read for a page of accounts at once, and whether
 * it is bursting (over its fair rate in the last minute, as its pacer saw
 * it: one small call per account, side by side) (their shapes in
 * accountResponses.ts).
 */
import { and, count, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { accountDatabase } from "../db/client";
import type { Account } from "../db/directory";
import { deliveries, endpoints } from "../db/schema";
import { pacerStatus } from "../delivery/pacing";
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
	const statuses = Promise.all(list.map((account) => pacerStatus(env, account.id)));
	const [endpointRows, failedRows] = await db.batch([
		db
			.select({
				accountId: endpoints.accountId,
				total: count(),
				failing: sql<number>`sum(CASE WHEN ${endpoints.lastAttemptSucceeded} = 0 THEN 1 ELSE 0 END)`,
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
	const bursting = (await statuses).map((status) => status.bursting);
	return list.map((account, i) => {
		const endpointRow = endpointRows.find((row) => row.accountId === account.id);
		return {
			...accountView(account),
			endpoints: endpointRow?.total ?? 0,
			health: {
				failing_endpoints: Number(endpointRow?.failing ?? 0),
				deliveries_failed_24h: failedRows.find((row) => row.accountId === account.id)?.total ?? 0,
			},
			bursting: bursting[i],
		};
	});
}
