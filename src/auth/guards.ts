/**
 * The middleware every operator page, portal page and API route goes through: strict
 * security headers, no caching, a CSRF check on state-changing form posts,
 * and (for the API) the operator's authentication.
 */
import type { Context, Next } from "hono";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { bearerToken } from "../http/bearer";
import { HttpError } from "../http/errors";
import { authenticate, type OperatorEnv, signInHint } from "./operator";
import { readPortalSession } from "./portalSession";

/** No script at all: the page works without JavaScript, so nothing needs to run. */
export const securityHeaders = secureHeaders({
	contentSecurityPolicy: {
		defaultSrc: ["'none'"],
		styleSrc: ["'self'"],
		imgSrc: ["'self'"],
		formAction: ["'self'"],
		frameAncestors: ["'none'"],
		baseUri: ["'none'"],
	},
	referrerPolicy: "no-referrer",
	xFrameOptions: "DENY",
});

/** These responses hold endpoint data and secrets: never stored by a browser or proxy. */
export const noStore = createMiddleware(async (c, next) => {
	await next();
	c.header("Cache-Control", "no-store");
});

const sameOriginOnly = csrf();

/** hono/csrf's Origin / Sec-Fetch-Site check, answering in the one error shape. */
async function sameOriginOrRefuse(c: Context, next: Next): Promise<void> {
	try {
		await sameOriginOnly(c, next);
	} catch (error) {
		if (error instanceof HTTPException && error.status === 403) {
			throw new HttpError(
				"csrf_rejected",
				"Cross-site form submission refused (CSRF protection). Submit the form from the admin page itself.",
			);
		}
		throw error;
	}
}

/**
 * The pages (/admin, /portal): every state-changing form post must come from
 * the page itself, whatever else it carries. Browsers are signed in here by a
 * session cookie, and an Authorization header says nothing about where a post
 * came from, so it earns no exemption.
 */
export const refuseCrossSiteForms = createMiddleware(sameOriginOrRefuse);

/**
 * The API (/api): the same check, except for a request with a bearer token.
 * There the token is what authenticates (never the session cookie beside it),
 * and no cross-site page can make a browser attach one.
 */
export const refuseCrossSiteApiForms = createMiddleware(async (c, next) => {
	if (bearerToken(c.req.header("authorization")) !== undefined) return next();
	await sameOriginOrRefuse(c, next);
});

/**
 * The operator's API: only the operator's credentials. A portal session is an
 * account admin, whose world is /portal: it gets 403, not the sign-in hint.
 */
export const requireOperator = createMiddleware<OperatorEnv>(async (c, next) => {
	const operator = await authenticate(c);
	if (!operator) {
		if (await readPortalSession(c)) {
			throw new HttpError("forbidden", "An account's portal session cannot use the operator's API. Use the portal at /portal.");
		}
		throw new HttpError("unauthorized", signInHint(c.env));
	}
	c.set("operator", operator);
	await next();
});
