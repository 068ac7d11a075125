/**
 * The account directory: what an account is, what its uid looks like, and
 * finding a live account by uid. The helpdesk names an account by its own
 * `uid`; Hivepost keys the data by an internal id that is never reused, in
 * the database the account was placed on.
 */
import { and, eq, isNull, ne, type SQL, sql } from "drizzle-orm";
import { type AccountPlacement, type Database, DIRECTORY_BINDING, directoryDatabase } from "./client";
import { OPERATOR_ACCOUNT } from "./operatorAccount";
import { accounts } from "./schema";

export interface Account extends AccountPlacement {
	uid: string;
	name: string;
	createdAt: number;
}

/** 1 to 64 letters, digits, `-`, `_` or `.`, beginning with a letter or digit. */
export const UID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const UID_RULE = "1 to 64 letters, digits, '-', '_' or '.', beginning with a letter or digit";

/** The binding of an account's database, for selects: null (placed before there were several) is DB. */
export const accountDatabaseColumn = sql<string>`coalesce(${accounts.database}, ${DIRECTORY_BINDING})`;

/** Live accounts of the helpdesk: not deleted, and not the operator's own (which no list shows). */
export function liveHelpdeskAccounts(): SQL {
	return and(isNull(accounts.deletedAt), ne(accounts.id, OPERATOR_ACCOUNT.id)) as SQL;
}

/** The columns of an Account, for selects. */
export const accountColumns = {
	id: accounts.id,
	uid: accounts.uid,
	name: accounts.name,
	createdAt: accounts.createdAt,
	database: accountDatabaseColumn,
};

export function findAccount(db: Database, uid: string): Promise<Account | undefined> {
	return db
		.select(accountColumns)
		.from(accounts)
		.where(and(eq(accounts.uid, uid), isNull(accounts.deletedAt)))
		.get();
}

/** The live account with this uid; undefined for none (a malformed uid cannot exist, so it is not looked up). */
export function findLiveAccount(env: Env, uid: string): Promise<Account | undefined> {
	return UID_PATTERN.test(uid) ? findAccount(directoryDatabase(env), uid) : Promise.resolve(undefined);
}

/**
 * How long ingest trusts a live account this isolate found, instead of a directory read per event: a burst to one
 * account made that read every time, and the directory's database is the one the other accounts' work queues on.
 * Creating or deleting an account forgets it in this isolate at once; another isolate may take its events this long
 * after a delete (with no endpoint left to send them to), so the purge waits as long before it starts.
 */
export const RECENT_ACCOUNT_MS = 1_000;

/** By uid; at most one entry per live account (one not found is dropped), so it stays as small as the directory. */
const recentlyFound = new Map<string, { found: Promise<Account | undefined>; until: number }>();

/** findLiveAccount, trusting what this isolate found in the last RECENT_ACCOUNT_MS; a uid not found is looked up every time. */
export function findRecentLiveAccount(env: Env, uid: string, now = Date.now()): Promise<Account | undefined> {
	const recent = recentlyFound.get(uid);
	if (recent && recent.until > now) return recent.found;
	const found = findLiveAccount(env, uid);
	recentlyFound.set(uid, { found, until: now + RECENT_ACCOUNT_MS });
	const drop = () => {
		if (recentlyFound.get(uid)?.found === found) recentlyFound.delete(uid);
	};
	found.then((account) => {
		if (!account) drop();
	}, drop);
	return found;
}

/** Forgets what findRecentLiveAccount found for `uid`: the account was created or deleted, or a move refused its write. */
export function forgetRecentAccount(uid: string): void {
	recentlyFound.delete(uid);
}
