/**
 * The one recipe for Hivepost's session cookies (the operator's and the
 * portal's): HttpOnly, Path=/, and on HTTPS Secure with the `__Host-` prefix,
 * which a browser accepts only when set by this very host over HTTPS without
 * a Domain: no other subdomain can plant or overwrite the session. On the
 * plain-HTTP local origin (development, tests), where a browser would refuse
 * both, the cookie keeps its plain name and is not Secure.
 */
import type { Context } from "hono";
import { isLocalPlainHttp } from "./localOrigin";

/**
 * The options for a session cookie on this request's origin. Pass them to
 * hono's setCookie / deleteCookie, and their `prefix` to getCookie, so the
 * name read is the name set:
 *
 * ```ts
 * const options = sessionCookieOptions(c, "Lax");
 * setCookie(c, "hivepost_portal", token, { ...options, expires });
 * getCookie(c, "hivepost_portal", options.prefix);
 * ```
 */
export function sessionCookieOptions(c: Context, sameSite: "Strict" | "Lax") {
	return isLocalPlainHttp(c.req.url)
		? ({ path: "/", httpOnly: true, sameSite, secure: false, prefix: undefined } as const)
		: ({ path: "/", httpOnly: true, sameSite, secure: true, prefix: "host" } as const);
}
