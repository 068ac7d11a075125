/**
 * An account's pages, the same wherever they are mounted (`/admin`,
 * `/admin/accounts/{uid}`, `/portal`): its endpoints, its delivery log and
 * its events. A read-only viewer gets 403 for every POST. Every page of
 * them names the endpoints failing now, in a banner.
 */
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
import { failingEndpoints } from "../endpoints/endpointHealth";
import { scopeOf } from "../http/accountScope";
import { HttpError } from "../http/errors";
import { isReadOnly, type PageEnv } from "./context";
import { deliveryPages } from "./deliveries";
import { endpointPages } from "./endpoints";
import { eventPages } from "./events";

const refuseReadOnly = createMiddleware<PageEnv>(async (c, next) => {
	if (c.req.method === "POST" && isReadOnly(c)) {
		throw new HttpError("read_only", "This session is read-only: it can see everything here but change nothing.");
	}
	await next();
});

/** A page (a GET) reads the failing endpoints for its banner; a form's POST answers with a redirect, and needs none. */
const readFailing = createMiddleware<PageEnv>(async (c, next) => {
	if (c.req.method === "GET") c.set("failing", await failingEndpoints(scopeOf(c)));
	await next();
});

export const accountPages = new Hono<PageEnv>()
	.use("*", refuseReadOnly, readFailing)
	.route("/", endpointPages)
	.route("/", deliveryPages)
	.route("/", eventPages);
