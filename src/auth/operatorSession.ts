/**
 * The operator's session on the admin pages: a stateless cookie holding its expiry time,
 * HMAC-signed with a key derived from ADMIN_TOKEN, so changing the token ends
 * every session. SameSite=Strict (the operator signs in on this site, never
 * arriving from another); otherwise made like the portal's
 * (http/cookies.ts): `__Host-hivepost_session` on HTTPS.
 */
import type { Context } from "hono";
import { cookieOptions, deleteCookie, readSignedCookie, writeSignedCookie } from "../http/cookies";
import { sha256Hex } from "../lib/hashing";
import { HOUR_MS } from "../lib/time";

export const OPERATOR_COOKIE = "hivepost_session";
export const OPERATOR_SESSION_TTL_MS = 12 * HOUR_MS;

const sessionCookie = (c: Context) => cookieOptions(c, { sameSite: "Strict" });

/** Derived rather than the token itself, so the cookie's MAC key is used for nothing else (its text is part of the key: keep it). */
function sessionKey(adminToken: string): Promise<string> {
	return sha256Hex(`hivepost admin session\n${adminToken}`);
}

export async function startOperatorSession(c: Context, adminToken: string, now = Date.now()): Promise<void> {
	const expiresAt = now + OPERATOR_SESSION_TTL_MS;
	await writeSignedCookie(c, OPERATOR_COOKIE, String(expiresAt), await sessionKey(adminToken), sessionCookie(c), {
		expires: new Date(expiresAt),
	});
}

/** True when the request carries an unexpired session signed for this admin token. */
export async function hasOperatorSession(c: Context, adminToken: string): Promise<boolean> {
	const value = await readSignedCookie(c, OPERATOR_COOKIE, await sessionKey(adminToken), sessionCookie(c));
	return typeof value === "string" && Number(value) > Date.now();
}

export function endOperatorSession(c: Context): void {
	deleteCookie(c, OPERATOR_COOKIE, sessionCookie(c));
}
