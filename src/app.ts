/**
 * The HTTP surface, composed in one place: health, ingest, the OpenAPI
 * document, the operator's API (/api), the operator's pages (/admin), the
 * accounts' portal (/portal), and the one error shape.
 */
import { Hono } from "hono/tiny";
import { OPENAPI_PATH } from "./api/openapiDocument";
import { operatorApi } from "./api/operatorApi";
import { staticAsset } from "./http/assets";
import type { RouteEnv } from "./http/env";
import { errorResponse, HttpError, INTERNAL_ERROR_MESSAGE, knownError } from "./http/errors";
import { logUnhandled, requestId } from "./http/requestId";
import { ingestRoutes } from "./ingest/route";
import { operatorPages } from "./pages/operatorPages";
import { portalPages } from "./pages/portalPages";
import { STYLESHEET_PATH } from "./pages/views/layout";

export const app = new Hono<RouteEnv>()
	.use(requestId)
	.get("/health", (c) => c.json({ ok: true }))
	// Whoever opens the bare address is looking for the admin pages.
	.get("/", (c) => c.redirect("/admin", 303))
	.get(STYLESHEET_PATH, (c) => staticAsset(c.env, c.req.raw, STYLESHEET_PATH))
	.route("/", ingestRoutes)
	.get(OPENAPI_PATH, (c) => staticAsset(c.env, c.req.raw, OPENAPI_PATH))
	.route("/api", operatorApi)
	.route("/admin", operatorPages)
	.route("/portal", portalPages)
	.notFound((c) => {
		// A person on the pages gets a page's words; an API client, where the routes are listed.
		if (/^\/(admin|portal)(\/|$)/.test(c.req.path)) throw new HttpError("not_found", "No such page.");
		throw new HttpError("not_found", "No such route. The routes are in docs/api.md, and in the OpenAPI document at GET /api/openapi.json.");
	})
	.onError((error, c) => {
		const known = knownError(error);
		if (known) return errorResponse(c, known);
		logUnhandled(c.req.raw, c.get("requestId"), error);
		return errorResponse(c, new HttpError("internal_error", INTERNAL_ERROR_MESSAGE));
	});
