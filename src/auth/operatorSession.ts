/**
 * The admin page's session: a stateless cookie holding its expiry time,
 * HMAC-signed with a key derived from ADMIN_TOKEN, so changing the token ends
 * every session. SameSite=Strict (the operator signs in on this site, never
 * arriving from another); otherwise made like the portal's
 * (http/sessionCookie): `__Host-hivepost_session` on HTTPS.
 */
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { sessionCookieOptions } from "../http/cookies";
import { sha256Hex } from "../lib/hashing";
import { HOUR_MS } from "../lib/time";

export const SESSION_COOKIE = "hivepost_session";
export const SESSION_TTL_MS = 12 * HOUR_MS;

const cookieOptions = (c: Context) => sessionCookieOptions(c, "Strict");

/** Derived rather than the token itself, so the cookie's MAC key is used for nothing else. */
function sessionKey(adminToken: string): Promise<string> {
	return sha256Hex(`hivepost admin session\n${adminToken}`);
}

export async function startSession(c: Context, adminToken: string, now = Date.now()): Promise<void> {
	const expiresAt = now + SESSION_TTL_MS;
	await setSignedCookie(c, SESSION_COOKIE, String(expiresAt), await sessionKey(adminToken), {
		...cookieOptions(c),
		expires: new Date(expiresAt),
	});
}

/** True when the request carries an unexpired session signed for this admin token. */
export async function hasSession(c: Context, adminToken: string): Promise<boolean> {
	const value = await getSignedCookie(c, await sessionKey(adminToken), SESSION_COOKIE, cookieOptions(c).prefix);
	return typeof value === "string" && Number(value) > Date.now();
}

export function endSession(c: Context): void {
	deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}
