/**
 * An account's pages, the same wherever they are mounted (`/admin`,
 * `/admin/accounts/{uid}`, `/portal`): its endpoints, its delivery log and
 * its events. A read-only viewer gets 403 for every POST.
 */
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
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

export const accountPages = new Hono<PageEnv>()
	.use("*", refuseReadOnly)
	.route("/", endpointPages)
	.route("/", deliveryPages)
	.route("/", eventPages);
