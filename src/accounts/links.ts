/**
 * One-time admin links: how the helpdesk sends its signed-in admin to an
 * account's portal (the way Svix's hosted portal works). The operator mints
 * a link; opening it signs that browser in to the portal and the link is
 * spent. A browser already signed in to another account is asked first
 * (portalRoutes), so a link can also be read without spending it. The token
 * holds 256 random bits, only its hash is stored, and it travels in the
 * query string, which Hivepost never logs; the redirect that follows takes
 * it out of the address bar.
 */
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { readSettings, type Settings } from "../config";
import { boundDatabase, directoryDatabase } from "../db/client";
import type { Account } from "../db/directory";
import { accountSessions, accounts, adminLinks } from "../db/schema";
import { sha256Hex } from "../lib/hashing";
import { DAY_MS, iso } from "../lib/time";
import { randomToken } from "../lib/tokens";
import type { LinkRequest } from "./accountRequests";
import type { AdminLink } from "./accountResponses";

export const LINK_PATH = "/portal/sign-in";

/** Where admin links point: the first of PUBLIC_ORIGINS, else the origin the request came to. */
export function linkOrigin(env: Env, requestUrl: string): string {
	return readSettings(env).publicOrigins[0] ?? new URL(requestUrl).origin;
}

/** A link for `account`, at `origin` (the first of PUBLIC_ORIGINS, else the request's own). */
export async function mintAdminLink(env: Env, account: Account, request: LinkRequest, origin: string): Promise<AdminLink> {
	// A link into an account whose database is gone would open a portal that answers 503: refuse it here, naming the binding.
	boundDatabase(env, account.database);
	const token = randomToken();
	const now = Date.now();
	const expiresAt = now + request.expires_in * 1000;
	await directoryDatabase(env)
		.insert(adminLinks)
		.values({
			tokenHash: await sha256Hex(token),
			accountId: account.id,
			readOnly: request.read_only,
			admin: request.admin,
			createdAt: now,
			expiresAt,
		});
	const url = new URL(LINK_PATH, origin);
	url.searchParams.set("token", token);
	return { url: url.href, expires_at: iso(expiresAt) };
}

/** A link that can still sign in: this token's, not used yet, not expired. */
function usableLink(tokenHash: string, now: number) {
	return and(eq(adminLinks.tokenHash, tokenHash), isNull(adminLinks.usedAt), gt(adminLinks.expiresAt, now));
}

/** The link's account, while it lives. */
const linkAccount = and(eq(accounts.id, adminLinks.accountId), isNull(accounts.deletedAt));

/**
 * The account a link would sign in to, read without spending the link; null
 * when it could not sign in (used, expired, never existed, or its account
 * deleted).
 */
export async function peekAdminLink(env: Env, token: string): Promise<{ accountId: string; uid: string; name: string } | null> {
	const row = await directoryDatabase(env)
		.select({ accountId: accounts.id, uid: accounts.uid, name: accounts.name })
		.from(adminLinks)
		.innerJoin(accounts, linkAccount)
		.where(usableLink(await sha256Hex(token), Date.now()))
		.get();
	return row ?? null;
}

/**
 * Spends the link and opens a portal session, in one transaction: of two
 * opens racing, one gets the session. Returns the session token and its
 * expiry, or null when the link was used, has expired, never existed, or its
 * account was deleted.
 */
export async function openAdminLink(
	env: Env,
	settings: Settings,
	token: string,
): Promise<{ sessionToken: string; expiresAt: number } | null> {
	const db = directoryDatabase(env);
	const now = Date.now();
	const tokenHash = await sha256Hex(token);
	const sessionToken = randomToken();
	const expiresAt = now + settings.accountSessionMs;
	const usable = usableLink(tokenHash, now);
	const [opened] = await db.batch([
		db
			.insert(accountSessions)
			.select(
				db
					.select({
						tokenHash: sql<string>`${await sha256Hex(sessionToken)}`.as("token_hash"),
						accountId: adminLinks.accountId,
						readOnly: adminLinks.readOnly,
						admin: adminLinks.admin,
						createdAt: sql<number>`${now}`.as("created_at"),
						expiresAt: sql<number>`${expiresAt}`.as("expires_at"),
					})
					.from(adminLinks)
					.innerJoin(accounts, linkAccount)
					.where(usable),
			)
			.returning({ accountId: accountSessions.accountId }),
		db.update(adminLinks).set({ usedAt: now }).where(usable),
	]);
	return opened.length ? { sessionToken, expiresAt } : null;
}

/**
 * Ends every way in to an account's portal: its sessions, and its links, so
 * one not yet used cannot open a new session afterwards (it answers 410).
 * For a batch.
 */
export function endAccountAccess(env: Env, accountId: string) {
	const db = directoryDatabase(env);
	return [
		db.delete(accountSessions).where(eq(accountSessions.accountId, accountId)),
		db.delete(adminLinks).where(eq(adminLinks.accountId, accountId)),
	] as const;
}

/** Links and sessions past their use, for the cron. For a batch. */
export function purgeSpentLinksAndSessions(env: Env, now: number) {
	const db = directoryDatabase(env);
	return [
		db.delete(adminLinks).where(or(lt(adminLinks.expiresAt, now - DAY_MS), lt(adminLinks.usedAt, now - DAY_MS))),
		db.delete(accountSessions).where(lt(accountSessions.expiresAt, now)),
	] as const;
}
