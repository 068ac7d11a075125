/**
 * The middleware every operator page, portal page and API route goes through: strict
 * security headers, no caching, a CSRF check on state-changing form posts,
 * and (for the API) the operator's authentication.
 */
import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { bearerToken } from "../http/bearer";
import { HttpError } from "../http/errors";
import { authenticate, type OperatorEnv, signInHint } from "./operator";
import { readPortalSession } from "./portalSession";

/**
 * Every response's strict headers (those of Hono's secureHeaders, written out:
 * a few lines instead of its 3 KB). No script at all: the pages work without
 * JavaScript, so nothing needs to run.
 */
const SECURITY_HEADERS = {
	"Content-Security-Policy":
		"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Cross-Origin-Opener-Policy": "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Origin-Agent-Cluster": "?1",
	"Referrer-Policy": "no-referrer",
	"Strict-Transport-Security": "max-age=15552000; includeSubDomains",
	"X-Content-Type-Options": "nosniff",
	"X-DNS-Prefetch-Control": "off",
	"X-Download-Options": "noopen",
	"X-Frame-Options": "DENY",
	"X-Permitted-Cross-Domain-Policies": "none",
	"X-XSS-Protection": "0",
};

export const securityHeaders = createMiddleware(async (c, next) => {
	await next();
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
});

/** These responses hold endpoint data and secrets: never stored by a browser or proxy. */
export const noStore = createMiddleware(async (c, next) => {
	await next();
	c.header("Cache-Control", "no-store");
});

/** What a cross-site page can make a browser send without asking (the form content types, or none at all). */
const FORM_CONTENT = /^\b(application\/x-www-form-urlencoded|multipart\/form-data|text\/(?:plain|ping))\b/i;

/**
 * Refuses a form post from another site: an unsafe method with a form content
 * type whose `Sec-Fetch-Site` is not same-origin and whose `Origin` is not this
 * one (Hono's csrf check, written out in the one error shape).
 */
async function sameOriginOrRefuse(c: Context, next: Next): Promise<void> {
	const crossSite =
		!/^(GET|HEAD|OPTIONS)$/.test(c.req.method) &&
		FORM_CONTENT.test(c.req.header("content-type") || "text/plain") &&
		c.req.header("sec-fetch-site") !== "same-origin" &&
		c.req.header("origin") !== new URL(c.req.url).origin;
	if (crossSite) {
		throw new HttpError(
			"csrf_rejected",
			"Cross-site form submission refused (CSRF protection). Submit the form from the admin page itself.",
		);
	}
	await next();
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
