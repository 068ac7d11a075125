/**
 * Deleting an account, and purging what it leaves behind. DELETE takes
 * effect at once: its endpoints are deleted (their unfinished deliveries
 * cancelled), its sessions and unused links end, and every route of its uid
 * answers 404 (ingest in another isolate may trust it RECENT_ACCOUNT_MS
 * longer: db/directory.ts). Its events, deliveries, attempts, audit record
 * and endpoints are then purged by the cron from its database in bounded
 * chunks, and finally its directory row; a new account with the same uid
 * gets a new internal id and starts empty.
 */
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { accountDatabase, accountScope, type Database, databaseNames, directoryDatabase, inList } from "../db/client";
import { isDefaultAccount } from "../db/defaultAccount";
import { type Account, accountDatabaseColumn, forgetRecentAccount, RECENT_ACCOUNT_MS } from "../db/directory";
import { forgetEndpointKeys } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { accounts, attempts, auditLog, endpoints, events } from "../db/schema";
import { deleteEndpointsStatements } from "../endpoints/endpointStore";
import { HttpError } from "../http/errors";

import { endAccountAccess } from "./links";
import { movesOf } from "./moves";

export async function deleteAccount(env: Env, account: Account): Promise<void> {
	if (isDefaultAccount(account)) {
		throw new HttpError("account_protected", "The default account always exists and cannot be deleted. Delete its endpoints instead.");
	}
	// A move copies what it finds and logs no deletes while it freezes the account: its rows could outlive it in the target.
	if ((await movesOf(env, [account.id])).size) {
		throw new HttpError(
			"move_in_progress",
			"This account is being moved. Delete it once the move has ended: GET /api/accounts/{uid} shows how far it is.",
		);
	}
	const now = Date.now();
	// Its database gone: a 503 naming the binding, before anything changes.
	const scope = accountScope(env, account);
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
	forgetRecentAccount(account.uid);
}

/** Rows of one account's data purged per table and run. */
export const ACCOUNT_PURGE_LIMIT = 1000;

/** Deletes up to ACCOUNT_PURGE_LIMIT of the account's rows in `table` (its key columns, account first). */
function purgeRows(db: Database, table: SQLiteTable, key: SQLiteColumn[], accountColumn: SQLiteColumn, accountId: string) {
	const columns = sql.join(key, sql`, `);
	return db
		.delete(table)
		.where(
			sql`(${columns}) IN (SELECT ${columns} FROM ${table} WHERE ${accountColumn} = ${sql.param(accountId, accountColumn)} LIMIT ${ACCOUNT_PURGE_LIMIT})`,
		)
		.returning({ key: key[0] });
}

/**
 * One cron run's share of purging deleted accounts, each in its own database;
 * an account's directory row goes once nothing of it is left. Accounts on a
 * database no longer bound wait (never taking the turn of the others) until
 * it is bound again.
 */
export async function purgeDeletedAccounts(env: Env, now = Date.now()): Promise<number> {
	const deleted = await directoryDatabase(env)
		.select({ id: accounts.id, database: accountDatabaseColumn })
		.from(accounts)
		// Not before ingest elsewhere has stopped trusting it (RECENT_ACCOUNT_MS): what it took meanwhile goes with the rest.
		.where(and(lte(accounts.deletedAt, now - RECENT_ACCOUNT_MS), inList(accountDatabaseColumn, databaseNames(env))))
		.limit(10);
	const emptied: string[] = [];
	for (const account of deleted) {
		const { id } = account;
		const db = accountDatabase(env, account);
		const results = await db.batch([
			purgeRows(db, attempts, [attempts.accountId, attempts.deliveryId, attempts.seq], attempts.accountId, id),
			purgeRows(db, deliveriesV2, [deliveriesV2.accountId, deliveriesV2.endpointKey, deliveriesV2.id], deliveriesV2.accountId, id),
			purgeRows(db, events, [events.accountId, events.id], events.accountId, id),
			purgeRows(db, auditLog, [auditLog.accountId, auditLog.endpointId, auditLog.id], auditLog.accountId, id),
			purgeRows(db, endpoints, [endpoints.id], endpoints.accountId, id),
			forgetEndpointKeys(db, id),
		]);
		if (results.every((rows) => rows.length < ACCOUNT_PURGE_LIMIT)) emptied.push(id);
	}
	if (emptied.length) await directoryDatabase(env).delete(accounts).where(inArray(accounts.id, emptied));
	return emptied.length;
}
