/**
 * The portal session's cookie: how a browser holds the session an admin link
 * opened (accounts/sessions.ts keeps the rows).
 *
 * The cookie is SameSite=Lax, not Strict: the admin arrives by a top-level
 * navigation from the helpdesk's own site, and a Strict cookie set during
 * such an arrival is not sent along its redirect (they would land signed
 * out). Every POST keeps its CSRF check. Otherwise it is made like the
 * operator's (http/cookies.ts): `__Host-hivepost_portal` on HTTPS.
 */
import type { Context } from "hono";
import { deletePortalSession, findPortalSession, type PortalSession } from "../accounts/sessions";
import { cookieOptions, deleteCookie, readCookie, writeCookie } from "../http/cookies";

export const PORTAL_COOKIE = "hivepost_portal";

const sessionCookie = (c: Context) => cookieOptions(c, { sameSite: "Lax" });

export function setPortalCookie(c: Context, token: string, expiresAt: number): void {
	writeCookie(c, PORTAL_COOKIE, token, sessionCookie(c), { expires: new Date(expiresAt) });
}

/** The request's live portal session (unexpired, its account not deleted), or null. */
export async function readPortalSession(c: Context): Promise<PortalSession | null> {
	const token = readCookie(c, PORTAL_COOKIE, sessionCookie(c));
	return token ? findPortalSession(c.env as Env, token) : null;
}

/** Ends the session this browser holds, if any: its row (the cookie stays, for the caller to replace or delete). */
export async function forgetPortalSession(c: Context): Promise<void> {
	const token = readCookie(c, PORTAL_COOKIE, sessionCookie(c));
	if (token) await deletePortalSession(c.env as Env, token);
}

/** Signs this browser out of the portal: its session row and its cookie. */
export async function endPortalSession(c: Context): Promise<void> {
	await forgetPortalSession(c);
	deleteCookie(c, PORTAL_COOKIE, sessionCookie(c));
}
