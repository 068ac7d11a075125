/**
 * The HTTP surface, composed in one place: health, ingest, the admin API and
 * its OpenAPI document, the admin page, and the one error shape for
 * everything that goes wrong.
 */
import { Hono } from "hono";
import { deliveriesApi, eventsApi } from "./admin/api/deliveries";
import { endpointsApi } from "./admin/api/endpoints";
import { openApiRoute } from "./admin/api/openapi";
import { statsApi } from "./admin/api/stats";
import type { AdminEnv } from "./admin/auth/authenticate";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms, requireAdmin } from "./admin/auth/guards";
import { adminPages } from "./admin/pages/routes";
import { errorResponse, HttpError, INTERNAL_ERROR_MESSAGE } from "./http/errors";
import { logUnhandled, requestId } from "./http/requestId";
import { ingestRoutes } from "./ingest/route";

export const app = new Hono<AdminEnv>()
	.use(requestId)
	.get("/health", (c) => c.json({ ok: true }))
	.route("/", ingestRoutes)
	.route("/api/openapi.json", openApiRoute)
	.use("/api/*", adminSecurityHeaders, noStore, refuseCrossSiteForms, requireAdmin)
	.route("/api/endpoints", endpointsApi)
	.route("/api/deliveries", deliveriesApi)
	.route("/api/events", eventsApi)
	.route("/api/stats", statsApi)
	.route("/admin", adminPages)
	.notFound(() => {
		throw new HttpError("not_found", "No such route. See the README for the API.");
	})
	.onError((error, c) => {
		if (error instanceof HttpError) return errorResponse(c, error);
		logUnhandled(c.req.raw, c.get("requestId"), error);
		return errorResponse(c, new HttpError("internal_error", INTERNAL_ERROR_MESSAGE));
	});
