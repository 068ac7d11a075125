/**
 * Accounts: a helpdesk's customers (for SupportBee, its companies), each with
 * its own endpoints, events and deliveries: created (on the database
 * db/placement.ts chooses), renamed and listed here (found by uid in
 * db/directory.ts). A uid deleted and created again is a new account (a new
 * internal id, placed afresh), and starts empty.
 */
import { and, asc, eq, gt, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { directoryDatabase, isUniqueViolation } from "../db/client";
import {
	type Account,
	accountColumns,
	findAccount,
	forgetRecentAccount,
	liveHelpdeskAccounts,
	UID_PATTERN,
	UID_RULE,
} from "../db/directory";
import { databaseForNewAccount } from "../db/placement";
import { accounts } from "../db/schema";
import { HttpError } from "../http/errors";
import { newId } from "../lib/ids";

export const MAX_ACCOUNT_NAME_LENGTH = 200;
export const ACCOUNTS_PAGE_SIZE = 50;

/** A uid that is not well formed is a 422 that says the rule. */
export function checkUid(uid: string): string {
	if (!UID_PATTERN.test(uid)) throw new HttpError("validation_failed", `The account uid must be ${UID_RULE}.`, { uid: UID_RULE });
	return uid;
}

/** Creates the account (`created: true`) or renames it. The name defaults to the uid. */
export async function putAccount(env: Env, uid: string, name: string | undefined): Promise<{ account: Account; created: boolean }> {
	const db = directoryDatabase(env);
	checkUid(uid);
	const existing = await findAccount(db, uid);
	if (existing) {
		if (name === undefined || name === existing.name) return { account: existing, created: false };
		await db.update(accounts).set({ name }).where(eq(accounts.id, existing.id));
		return { account: { ...existing, name }, created: false };
	}
	const account = { id: newId("acc"), uid, name: name ?? uid, createdAt: Date.now(), database: await databaseForNewAccount(env) };
	try {
		await db.insert(accounts).values(account);
	} catch (error) {
		// Created by a concurrent PUT a moment ago: this PUT renames it.
		if (isUniqueViolation(error)) return putAccount(env, uid, name);
		throw error;
	}
	// A deleted account of this uid this isolate's ingest still trusts is not it.
	forgetRecentAccount(uid);
	return { account, created: true };
}

/** The longest search text `q` takes. */
export const MAX_ACCOUNT_QUERY_LENGTH = 100;

/** `q` within uid or name, ignoring the case of ASCII letters (SQLite's lower()), as a scan of the live accounts. */
const matches = (q: string) => {
	const text = q.toLowerCase();
	return or(sql`instr(lower(${accounts.uid}), ${text}) > 0`, sql`instr(lower(${accounts.name}), ${text}) > 0`);
};

/**
 * Live helpdesk accounts ordered by uid, 50 a page, optionally those whose uid
 * starts with `prefix`, and those whose uid or name contains `q`.
 */
export async function listAccounts(env: Env, options: { prefix?: string; q?: string; cursor?: string }) {
	const conditions: (SQL | undefined)[] = [liveHelpdeskAccounts()];
	if (options.q) conditions.push(matches(options.q));
	// Exact, case-sensitive prefix as an index range: uids are ASCII, so all that start with it sort below prefix + U+10FFFF.
	if (options.prefix) conditions.push(gte(accounts.uid, options.prefix), lt(accounts.uid, `${options.prefix}\u{10FFFF}`));
	if (options.cursor) conditions.push(gt(accounts.uid, options.cursor));
	const rows = await directoryDatabase(env)
		.select(accountColumns)
		.from(accounts)
		.where(and(...conditions))
		.orderBy(asc(accounts.uid))
		.limit(ACCOUNTS_PAGE_SIZE + 1);
	const page = rows.slice(0, ACCOUNTS_PAGE_SIZE);
	return { accounts: page, nextCursor: rows.length > ACCOUNTS_PAGE_SIZE ? page[page.length - 1].uid : null };
}
