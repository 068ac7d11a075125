/**
 * Accounts: a helpdesk's customers (for SupportBee, its companies), each with
 * its own endpoints, events and deliveries. The helpdesk names an account by
 * its own `uid`; Hivepost keys the data by an internal id that is never
 * reused, so a uid deleted and created again starts empty.
 */
import { and, asc, eq, gt, gte, isNull, lt } from "drizzle-orm";
import { type Database, directoryDatabase, isUniqueViolation } from "../db/client";
import { DEFAULT_ACCOUNT_ID } from "../db/defaultAccount";
import { accounts } from "../db/schema";
import { HttpError } from "../http/errors";
import { newId } from "../lib/ids";

export interface Account {
	id: string;
	uid: string;
	name: string;
	createdAt: number;
}

/** 1 to 64 letters, digits, `-`, `_` or `.`, beginning with a letter or digit. */
export const UID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const UID_RULE = "1 to 64 letters, digits, '-', '_' or '.', beginning with a letter or digit";
export const MAX_ACCOUNT_NAME_LENGTH = 200;
export const ACCOUNTS_PAGE_SIZE = 50;

const columns = { id: accounts.id, uid: accounts.uid, name: accounts.name, createdAt: accounts.createdAt };

export function isDefaultAccount(account: { id: string }): boolean {
	return account.id === DEFAULT_ACCOUNT_ID;
}

/** A uid that is not well formed is a 422 that says the rule. */
export function checkUid(uid: string): string {
	if (!UID_PATTERN.test(uid)) throw new HttpError("validation_failed", `The account uid must be ${UID_RULE}.`, { uid: UID_RULE });
	return uid;
}

export function findAccount(db: Database, uid: string): Promise<Account | undefined> {
	return db
		.select(columns)
		.from(accounts)
		.where(and(eq(accounts.uid, uid), isNull(accounts.deletedAt)))
		.get();
}

/** The live account with this uid, or a 404 (a malformed uid cannot exist, so it is a 404 too). */
export async function requireAccount(env: Env, uid: string): Promise<Account> {
	const account = UID_PATTERN.test(uid) ? await findAccount(directoryDatabase(env), uid) : undefined;
	if (!account) throw new HttpError("not_found", `No account with uid ${JSON.stringify(uid)}. Create it with PUT /api/accounts/{uid}.`);
	return account;
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
	const account = { id: newId("acc"), uid, name: name ?? uid, createdAt: Date.now() };
	try {
		await db.insert(accounts).values(account);
	} catch (error) {
		// Created by a concurrent PUT a moment ago: this PUT renames it.
		if (isUniqueViolation(error)) return putAccount(env, uid, name);
		throw error;
	}
	return { account, created: true };
}

/** Live accounts ordered by uid, 50 a page, optionally those whose uid starts with `prefix`. */
export async function listAccounts(env: Env, options: { prefix?: string; cursor?: string }) {
	const conditions = [isNull(accounts.deletedAt)];
	// Exact, case-sensitive prefix as an index range: uids are ASCII, so all that start with it sort below prefix + U+10FFFF.
	if (options.prefix) conditions.push(gte(accounts.uid, options.prefix), lt(accounts.uid, `${options.prefix}\u{10FFFF}`));
	if (options.cursor) conditions.push(gt(accounts.uid, options.cursor));
	const rows = await directoryDatabase(env)
		.select(columns)
		.from(accounts)
		.where(and(...conditions))
		.orderBy(asc(accounts.uid))
		.limit(ACCOUNTS_PAGE_SIZE + 1);
	const page = rows.slice(0, ACCOUNTS_PAGE_SIZE);
	return { accounts: page, nextCursor: rows.length > ACCOUNTS_PAGE_SIZE ? page[page.length - 1].uid : null };
}
