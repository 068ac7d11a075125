/**
 * Who is calling the operator's pages or API. Accepted, in this order:
 * `Authorization: Bearer <ADMIN_TOKEN>` (API clients); in Access mode the
 * Cloudflare Access JWT; otherwise the session cookie set by signing in.
 */
import type { Context } from "hono";
import { requireSecret } from "../config";
import { OPERATOR } from "../endpoints/audit";
import type { ChangeContext } from "../endpoints/endpointChanges";
import { scopeOf } from "../http/accountScope";
import { bearerToken } from "../http/bearer";
import type { RouteEnv } from "../http/env";
import { tokensMatch } from "../lib/tokens";
import { ACCESS_JWT_HEADER, accessSettings, verifyAccessJwt } from "./access";
import { hasOperatorSession } from "./operatorSession";

/** How the operator signed in. */
export type Operator = { via: "token" } | { via: "session" } | { via: "access"; email: string };

/** What every operator route knows: who signed in, the request id, and the account acted on. */
export type OperatorEnv = RouteEnv<{ operator: Operator }>;

/** The account the route acts on, with the operator as the actor of its changes. */
export function operatorChange(c: Context<OperatorEnv>): ChangeContext {
	return { ...scopeOf(c), actor: OPERATOR };
}

export function operatorTokenMatches(env: Env, presented: string): Promise<boolean> {
	return tokensMatch(presented, requireSecret(env, "ADMIN_TOKEN"));
}

/** The signed-in operator, or null. A missing ADMIN_TOKEN outside Access mode is a 503 (fail closed). */
export async function authenticate(c: Context): Promise<Operator | null> {
	const env = c.env as Env;
	const presented = bearerToken(c.req.header("authorization"));
	if (presented !== undefined) return (await operatorTokenMatches(env, presented)) ? { via: "token" } : null;
	const access = accessSettings(env);
	if (access) {
		const jwt = c.req.header(ACCESS_JWT_HEADER);
		const identity = jwt ? await verifyAccessJwt(jwt, access) : null;
		return identity ? { via: "access", email: identity.email } : null;
	}
	return (await hasOperatorSession(c, requireSecret(env, "ADMIN_TOKEN"))) ? { via: "session" } : null;
}

/** What to tell someone who is not signed in. */
export function signInHint(env: Env): string {
	return accessSettings(env)
		? "Not signed in: sign in through Cloudflare Access (reload the page), or send `Authorization: Bearer <ADMIN_TOKEN>`."
		: "Missing or wrong admin token. Send `Authorization: Bearer <ADMIN_TOKEN>`, or sign in at /admin.";
}
