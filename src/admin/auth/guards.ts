/**
 * The middleware every admin route goes through: strict security headers,
 * no caching, a CSRF check on state-changing form posts, and (for the API)
 * authentication.
 */

import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { bearerToken } from "../../http/bearer";
import { HttpError } from "../../http/errors";
import { type AdminEnv, authenticate, signInHint } from "./authenticate";

/** No script at all: the page works without JavaScript, so nothing needs to run. */
export const adminSecurityHeaders = secureHeaders({
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

/** Admin responses hold endpoint data and secrets: never stored by a browser or proxy. */
export const noStore = createMiddleware(async (c, next) => {
	await next();
	c.header("Cache-Control", "no-store");
});

const sameOriginOnly = csrf();

/**
 * hono/csrf's Origin / Sec-Fetch-Site check, answering in the one error shape.
 * A request with a bearer token is an API client, not a browser form: browsers
 * never attach one by themselves and no cross-site page can, so it is not checked
 * (and it authenticates by that token alone, never by the session cookie).
 */
export const refuseCrossSiteForms = createMiddleware(async (c, next) => {
	if (bearerToken(c.req.header("authorization")) !== undefined) return next();
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
});

export const requireAdmin = createMiddleware<AdminEnv>(async (c, next) => {
	const admin = await authenticate(c);
	if (!admin) throw new HttpError("unauthorized", signInHint(c.env));
	c.set("admin", admin);
	await next();
});
