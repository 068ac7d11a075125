/**
 * Portal sessions: what an admin link opens. Server-side (a row per session),
 * so an operator can end every session of an account at once, and deleting an
 * account ends its sessions. The cookie holds a random token; only its hash
 * is stored.
 *
 * The cookie is SameSite=Lax, not Strict: the admin arrives by a top-level
 * navigation from the helpdesk's own site, and a Strict cookie set during
 * such an arrival is not sent along its redirect (they would land signed
 * out). Every POST keeps its CSRF check. Otherwise it is made like the
 * operator's (http/sessionCookie): `__Host-hivepost_portal` on HTTPS.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { directoryDatabase } from "../db/client";
import { accountSessions, accounts } from "../db/schema";
import { sessionCookieOptions } from "../http/cookies";
import { sha256Hex } from "../lib/hashing";

export const PORTAL_COOKIE = "hivepost_portal";

/** Who is signed in to the portal: which account, as whom, and whether they may change anything. */
export interface PortalSession {
	accountId: string;
	uid: string;
	name: string;
	admin: string;
	readOnly: boolean;
}

const cookieOptions = (c: Context) => sessionCookieOptions(c, "Lax");

export function setPortalCookie(c: Context, token: string, expiresAt: number): void {
	setCookie(c, PORTAL_COOKIE, token, { ...cookieOptions(c), expires: new Date(expiresAt) });
}

/** The request's live portal session (unexpired, its account not deleted), or null. */
export async function readPortalSession(c: Context): Promise<PortalSession | null> {
	const token = getCookie(c, PORTAL_COOKIE, cookieOptions(c).prefix);
	if (!token) return null;
	const row = await directoryDatabase(c.env as Env)
		.select({
			accountId: accountSessions.accountId,
			uid: accounts.uid,
			name: accounts.name,
			admin: accountSessions.admin,
			readOnly: accountSessions.readOnly,
		})
		.from(accountSessions)
		.innerJoin(accounts, and(eq(accounts.id, accountSessions.accountId), isNull(accounts.deletedAt)))
		.where(and(eq(accountSessions.tokenHash, await sha256Hex(token)), gt(accountSessions.expiresAt, Date.now())))
		.get();
	return row ?? null;
}

/** Ends the session this browser holds, if any: its row (the cookie stays, for the caller to replace or delete). */
export async function forgetPortalSession(c: Context): Promise<void> {
	const token = getCookie(c, PORTAL_COOKIE, cookieOptions(c).prefix);
	if (!token) return;
	await directoryDatabase(c.env as Env)
		.delete(accountSessions)
		.where(eq(accountSessions.tokenHash, await sha256Hex(token)));
}

/** Signs this browser out of the portal: its session row and its cookie. */
export async function endPortalSession(c: Context): Promise<void> {
	await forgetPortalSession(c);
	deleteCookie(c, PORTAL_COOKIE, cookieOptions(c));
}
