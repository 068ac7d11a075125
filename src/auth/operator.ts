/**
 * Who is calling the admin page or API. Accepted, in this order:
 * `Authorization: Bearer <ADMIN_TOKEN>` (API clients); in Access mode the
 * Cloudflare Access JWT; otherwise the session cookie set by signing in.
 */
import type { Context } from "hono";
import { requireSecret } from "../config";
import type { AccountVariables } from "../http/accountScope";
import { bearerToken } from "../http/bearer";
import type { RequestIdVariables } from "../http/requestId";
import { tokensMatch } from "../lib/tokens";
import { ACCESS_JWT_HEADER, accessSettings, verifyAccessJwt } from "./access";
import { hasSession } from "./operatorSession";

export type Admin = { via: "token" } | { via: "session" } | { via: "access"; email: string };

/** What every operator route knows: who signed in, the request id, and the account acted on. */
export interface AdminEnv {
	Bindings: Env;
	Variables: { admin: Admin } & RequestIdVariables & AccountVariables;
}

export function adminTokenMatches(env: Env, presented: string): Promise<boolean> {
	return tokensMatch(presented, requireSecret(env, "ADMIN_TOKEN"));
}

/** The signed-in admin, or null. A missing ADMIN_TOKEN outside Access mode is a 503 (fail closed). */
export async function authenticate(c: Context): Promise<Admin | null> {
	const env = c.env as Env;
	const presented = bearerToken(c.req.header("authorization"));
	if (presented !== undefined) return (await adminTokenMatches(env, presented)) ? { via: "token" } : null;
	const access = accessSettings(env);
	if (access) {
		const jwt = c.req.header(ACCESS_JWT_HEADER);
		const identity = jwt ? await verifyAccessJwt(jwt, access) : null;
		return identity ? { via: "access", email: identity.email } : null;
	}
	return (await hasSession(c, requireSecret(env, "ADMIN_TOKEN"))) ? { via: "session" } : null;
}

/** What to tell someone who is not signed in. */
export function signInHint(env: Env): string {
	return accessSettings(env)
		? "Not signed in: sign in through Cloudflare Access (reload the page), or send `Authorization: Bearer <ADMIN_TOKEN>`."
		: "Missing or wrong admin token. Send `Authorization: Bearer <ADMIN_TOKEN>`, or sign in at /admin.";
}
