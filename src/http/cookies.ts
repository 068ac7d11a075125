/**
 * The one recipe for Hivepost's cookies (the operator's session, the portal's
 * session, the one-time view of a rotated secret): HttpOnly, the SameSite
 * asked for, and on HTTPS Secure. A cookie for the whole site (Path=/) also
 * gets the `__Host-` prefix there, which a browser accepts only when set by
 * this very host over HTTPS without a Domain: no other subdomain can plant or
 * overwrite a session. On the plain-HTTP local origin (development, tests),
 * where a browser would refuse both, a cookie keeps its plain name and is not
 * Secure.
 */
import type { Context } from "hono";

/** A plain-HTTP local origin (development, tests): the one place a cookie may go without Secure. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLocalPlainHttp(requestUrl: string): boolean {
	const url = new URL(requestUrl);
	return url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
}

/**
 * The options for a cookie on this request's origin, for `path` (the whole
 * site by default). Pass them to hono's setCookie / deleteCookie, and their
 * `prefix` to getCookie, so the name read is the name set:
 *
 * ```ts
 * const options = cookieOptions(c, { sameSite: "Lax" });
 * setCookie(c, "hivepost_portal", token, { ...options, expires });
 * getCookie(c, "hivepost_portal", options.prefix);
 * ```
 */
export function cookieOptions(c: Context, { sameSite, path = "/" }: { sameSite: "Strict" | "Lax"; path?: string }) {
	const secure = !isLocalPlainHttp(c.req.url);
	// `__Host-` requires Path=/: a cookie scoped to a path keeps its plain name.
	return { path, httpOnly: true, sameSite, secure, prefix: secure && path === "/" ? ("host" as const) : undefined };
}
