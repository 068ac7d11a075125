/**
 * The one recipe for Hivepost's cookies (the operator's session, the portal's
 * session, the one-time views of new secrets), and reading and writing them:
 * HttpOnly, the SameSite asked for, and on HTTPS Secure. A cookie for the
 * whole site (Path=/) also gets the `__Host-` prefix there, which a browser
 * accepts only when set by this very host over HTTPS without a Domain: no
 * other subdomain can plant or overwrite a session. On the plain-HTTP local
 * origin (development, tests), where a browser would refuse both, a cookie
 * keeps its plain name and is not Secure.
 *
 * Written out rather than with Hono's cookie helper (4 KB of the bundle for
 * what these few cookies need); a signed value is `<value>.<base64 HMAC-SHA256>`,
 * as Hono signs it, so sessions signed before still verify.
 */
import type { Context } from "hono";

/** A plain-HTTP local origin (development, tests): the one place a cookie may go without Secure. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLocalPlainHttp(requestUrl: string): boolean {
	const url = new URL(requestUrl);
	return url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
}

export interface CookieRecipe {
	/** The name as set and read: `__Host-` first where it applies. */
	prefixed: (name: string) => string;
	path: string;
	sameSite: "Strict" | "Lax";
	secure: boolean;
}

/** The recipe of a cookie on this request's origin, for `path` (the whole site by default). */
export function cookieOptions(c: Context, { sameSite, path = "/" }: { sameSite: "Strict" | "Lax"; path?: string }): CookieRecipe {
	const secure = !isLocalPlainHttp(c.req.url);
	// `__Host-` requires Path=/: a cookie scoped to a path keeps its plain name.
	const host = secure && path === "/";
	return { prefixed: (name) => (host ? `__Host-${name}` : name), path, sameSite, secure };
}

/** The request's cookie `name`, or undefined. */
export function readCookie(c: Context, name: string, recipe: CookieRecipe): string | undefined {
	const wanted = recipe.prefixed(name);
	for (const pair of (c.req.header("cookie") ?? "").split(";")) {
		const at = pair.indexOf("=");
		if (at === -1 || pair.slice(0, at).trim() !== wanted) continue;
		try {
			return decodeURIComponent(pair.slice(at + 1).trim());
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/** Sets cookie `name` on the response, until `expires` or for `maxAge` seconds (a session cookie without either). */
export function writeCookie(
	c: Context,
	name: string,
	value: string,
	recipe: CookieRecipe,
	lifetime: { expires?: Date; maxAge?: number } = {},
) {
	const parts = [`${recipe.prefixed(name)}=${encodeURIComponent(value)}`];
	if (lifetime.maxAge !== undefined) parts.push(`Max-Age=${lifetime.maxAge}`);
	parts.push(`Path=${recipe.path}`);
	if (lifetime.expires) parts.push(`Expires=${lifetime.expires.toUTCString()}`);
	parts.push("HttpOnly", ...(recipe.secure ? ["Secure"] : []), `SameSite=${recipe.sameSite}`);
	c.header("Set-Cookie", parts.join("; "), { append: true });
}

export function deleteCookie(c: Context, name: string, recipe: CookieRecipe): void {
	writeCookie(c, name, "", recipe, { maxAge: 0 });
}

/** A cookie shown once: its value, and it is deleted when there was one. */
export function takeCookie(c: Context, name: string, recipe: CookieRecipe): string | undefined {
	const value = readCookie(c, name, recipe);
	if (value !== undefined) deleteCookie(c, name, recipe);
	return value;
}

const HMAC = { name: "HMAC", hash: "SHA-256" };
const utf8 = (text: string) => new TextEncoder().encode(text);
const hmacKey = (secret: string) => crypto.subtle.importKey("raw", utf8(secret), HMAC, false, ["sign", "verify"]);

export async function writeSignedCookie(
	c: Context,
	name: string,
	value: string,
	secret: string,
	recipe: CookieRecipe,
	lifetime: { expires: Date },
) {
	const signature = new Uint8Array(await crypto.subtle.sign(HMAC, await hmacKey(secret), utf8(value)));
	writeCookie(c, name, `${value}.${btoa(String.fromCharCode(...signature))}`, recipe, lifetime);
}

/** The value of a signed cookie whose signature verifies with `secret`; undefined otherwise. */
export async function readSignedCookie(c: Context, name: string, secret: string, recipe: CookieRecipe): Promise<string | undefined> {
	const signed = readCookie(c, name, recipe) ?? "";
	const at = signed.lastIndexOf(".");
	if (at === -1) return undefined;
	try {
		const signature = Uint8Array.from(atob(signed.slice(at + 1)), (char) => char.charCodeAt(0));
		const value = signed.slice(0, at);
		return (await crypto.subtle.verify(HMAC, await hmacKey(secret), signature, utf8(value))) ? value : undefined;
	} catch {
		return undefined;
	}
}
