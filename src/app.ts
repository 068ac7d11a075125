/**
 * The HTTP surface, composed in one place: health, ingest, admin API, and
 * the one error shape for everything that goes wrong.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { endpointsApi } from "./admin/endpointsApi";
import { requireSecret } from "./config";
import { errorResponse, HttpError } from "./http/errors";
import { bearerToken, tokensMatch } from "./http/tokens";
import { ingestRoutes } from "./ingest/route";

const requireAdminToken = createMiddleware<{ Bindings: Env }>(async (c, next) => {
	const expected = requireSecret(c.env, "ADMIN_TOKEN");
	const presented = bearerToken(c.req.header("authorization"));
	if (!presented || !(await tokensMatch(presented, expected))) {
		throw new HttpError(401, "Missing or wrong admin token. Send `Authorization: Bearer <ADMIN_TOKEN>`.");
	}
	await next();
});

export const app = new Hono<{ Bindings: Env }>()
	.get("/health", (c) => c.json({ ok: true }))
	.route("/", ingestRoutes)
	.use("/api/*", requireAdminToken)
	.route("/api/endpoints", endpointsApi)
	.notFound(() => {
		throw new HttpError(404, "No such route. See the README for the API.");
	})
	.onError((error, c) => {
		if (error instanceof HttpError) return errorResponse(c, error);
		console.error(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}: ${error.stack ?? error.message}`);
		return errorResponse(
			c,
			new HttpError(500, "Internal error; nothing was changed. Try again, and check the Worker logs if it persists."),
		);
	});
