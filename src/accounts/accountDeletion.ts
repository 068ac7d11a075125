/**
 * Deleting an account, and purging what it leaves behind. DELETE takes
 * effect at once: its endpoints are deleted (their unfinished deliveries
 * cancelled), its sessions and unused links end, and every route of its uid
 * answers 404. Its events, deliveries, attempts, audit record and endpoints
 * are then purged by the cron in bounded chunks, and finally its row; a new
 * account with the same uid gets a new internal id and starts empty.
 */
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { accountDatabase, accountScope, type Database, directoryDatabase } from "../db/client";
import { isDefaultAccount } from "../db/defaultAccount";
import type { Account } from "../db/directory";
import { accounts, attempts, auditLog, deliveries, endpoints, events } from "../db/schema";
import { deleteEndpointsStatements } from "../endpoints/endpointStore";
import { HttpError } from "../http/errors";

import { endAccountAccess } from "./links";

export async function deleteAccount(env: Env, account: Account): Promise<void> {
	if (isDefaultAccount(account)) {
		throw new HttpError("account_protected", "The default account always exists and cannot be deleted. Delete its endpoints instead.");
	}
	const now = Date.now();
	const scope = accountScope(env, account.id);
	const live = await scope.db
		.select({ id: endpoints.id })
		.from(endpoints)
		.where(and(eq(endpoints.accountId, account.id), isNull(endpoints.deletedAt)));
	const liveIds = live.map((row) => row.id);
	// The account's own data first: should the second batch fail, the account is still there, empty, and DELETE can be repeated.
	if (liveIds.length) await scope.db.batch(deleteEndpointsStatements(scope, liveIds, now));
	const directory = directoryDatabase(env);
	await directory.batch([
		directory.update(accounts).set({ deletedAt: now }).where(eq(accounts.id, account.id)),
		...endAccountAccess(env, account.id),
	]);
}

/** Rows of one account's data purged per table and run. */
export const ACCOUNT_PURGE_LIMIT = 1000;

/** Deletes up to ACCOUNT_PURGE_LIMIT of the account's rows in `table` (its key columns, account first). */
function purgeRows(db: Database, table: SQLiteTable, key: SQLiteColumn[], accountColumn: SQLiteColumn, accountId: string) {
	const columns = sql.join(key, sql`, `);
	return db
		.delete(table)
		.where(sql`(${columns}) IN (SELECT ${columns} FROM ${table} WHERE ${accountColumn} = ${accountId} LIMIT ${ACCOUNT_PURGE_LIMIT})`)
		.returning({ key: key[0] });
}

/** One cron run's share of purging deleted accounts; an account's row goes once nothing of it is left. */
export async function purgeDeletedAccounts(env: Env): Promise<number> {
	const deleted = await directoryDatabase(env).select({ id: accounts.id }).from(accounts).where(isNotNull(accounts.deletedAt)).limit(10);
	const emptied: string[] = [];
	for (const { id } of deleted) {
		const db = accountDatabase(env, id);
		const results = await db.batch([
			purgeRows(db, attempts, [attempts.accountId, attempts.deliveryId, attempts.seq], attempts.accountId, id),
			purgeRows(db, deliveries, [deliveries.accountId, deliveries.id], deliveries.accountId, id),
			purgeRows(db, events, [events.accountId, events.id], events.accountId, id),
			purgeRows(db, auditLog, [auditLog.accountId, auditLog.endpointId, auditLog.id], auditLog.accountId, id),
			purgeRows(db, endpoints, [endpoints.id], endpoints.accountId, id),
		]);
		if (results.every((rows) => rows.length < ACCOUNT_PURGE_LIMIT)) emptied.push(id);
	}
	if (emptied.length) await directoryDatabase(env).delete(accounts).where(inArray(accounts.id, emptied));
	return emptied.length;
}
