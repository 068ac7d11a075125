/**
 * Which account a request acts on, set by middleware before any handler
 * runs: the default account (`/events`, `/api/…`, `/admin`), the account named
 * in the path (`/accounts/{uid}/events`, `/api/accounts/{uid}/…`,
 * `/admin/accounts/{uid}/…`), or the portal session's account. Handlers read
 * `c.var.account` and reach its data through `scopeOf(c)`, never otherwise.
 * The account row read to find the account also names its database, so
 * finding the database costs no query; a database no longer bound is a 503
 * `not_configured` naming it, before anything else of the account runs.
 */
import { createMiddleware } from "hono/factory";
import { type AccountPlacement, type AccountScope, accountScope, boundDatabase, DIRECTORY_BINDING } from "../db/client";
import { DEFAULT_ACCOUNT_ID, DEFAULT_ACCOUNT_UID } from "../db/defaultAccount";
import { type Account, findLiveAccount, findRecentLiveAccount, forgetRecentAccount, UID_PATTERN, UID_RULE } from "../db/directory";
import { isMoveRefusal } from "../db/moveMarkers";
import { HttpError } from "./errors";

export interface CurrentAccount extends AccountPlacement {
	uid: string;
	name: string;
}

export interface AccountVariables {
	account: CurrentAccount;
}

/** The live account with this uid, or a 404 (a malformed uid cannot exist, so it is a 404 too). */
export async function requireAccount(env: Env, uid: string, find = findLiveAccount): Promise<Account> {
	const account = await find(env, uid);
	if (!account) {
		// A uid no account can have (the operator's own `_operator`, say) gets the rule, not an invitation to create it.
		const hint = UID_PATTERN.test(uid) ? "Create it with PUT /api/accounts/{uid}." : `A uid is ${UID_RULE}.`;
		throw new HttpError("not_found", `No account with uid ${JSON.stringify(uid)}. ${hint}`);
	}
	return account;
}

/** The request's account, once its database is known to be bound (else a 503 naming the binding, and nothing else runs). */
export function setAccount(c: { env: Env; set(key: "account", account: CurrentAccount): void }, account: CurrentAccount): void {
	boundDatabase(c.env, account.database);
	c.set("account", account);
}

export const useDefaultAccount = createMiddleware<{ Bindings: Env; Variables: AccountVariables }>(async (c, next) => {
	// No read: ingest and the API need only the id; a page that shows the name reads it. The migration created it on DB.
	c.set("account", { id: DEFAULT_ACCOUNT_ID, uid: DEFAULT_ACCOUNT_UID, name: DEFAULT_ACCOUNT_UID, database: DIRECTORY_BINDING });
	await next();
});

/**
 * The account named by the `:uid` path parameter, found by `find`; an unknown uid is a 404 and nothing else runs. A
 * write a move refused (the account has switched databases) forgets what ingest trusted of it.
 */
const accountFromPath = (find: typeof findLiveAccount) =>
	createMiddleware<{ Bindings: Env; Variables: AccountVariables }>(async (c, next) => {
		const uid = c.req.param("uid") ?? "";
		const account = await requireAccount(c.env, uid, find);
		setAccount(c, { id: account.id, uid: account.uid, name: account.name, database: account.database });
		await next();
		if (isMoveRefusal(c.error)) forgetRecentAccount(uid);
	});

export const useAccountFromPath = accountFromPath(findLiveAccount);

/** Ingest's: an account this isolate found a moment ago is taken without a read (db/directory.ts, RECENT_ACCOUNT_MS). */
export const useRecentAccountFromPath = accountFromPath(findRecentLiveAccount);

export function scopeOf(c: { env: Env; var: AccountVariables }): AccountScope {
	return accountScope(c.env, c.var.account);
}
