/**
 * The HTTP surface, composed in one place: health, ingest, the operator's API
 * (accounts, and each account's API: the default account's at /api, any
 * account's at /api/accounts/{uid}), its OpenAPI document, the operator's
 * pages (/admin), the accounts' portal (/portal), and the one error shape.
 */
import { Hono } from "hono/tiny";
import { accountsApi } from "./api/accounts";
import { OPENAPI_PATH } from "./api/openapiDocument";
import { defaultAccountApi, pathAccountApi } from "./api/operatorApi";
import { adminSecurityHeaders, noStore, refuseCrossSiteApiForms, requireOperator } from "./auth/guards";
import type { AdminEnv } from "./auth/operator";
import { staticAsset } from "./http/assets";
import { errorResponse, HttpError, INTERNAL_ERROR_MESSAGE, knownError } from "./http/errors";
import { logUnhandled, requestId } from "./http/requestId";
import { ingestRoutes } from "./ingest/route";
import { adminPages } from "./pages/operatorPages";
import { portalPages } from "./pages/portalPages";
import { STYLESHEET_PATH } from "./pages/views/layout";

export const app = new Hono<AdminEnv>()
	.use(requestId)
	.get("/health", (c) => c.json({ ok: true }))
	.get(STYLESHEET_PATH, (c) => staticAsset(c.env, c.req.raw, STYLESHEET_PATH))
	.route("/", ingestRoutes)
	.get(OPENAPI_PATH, (c) => staticAsset(c.env, c.req.raw, OPENAPI_PATH))
	.use("/api/*", adminSecurityHeaders, noStore, refuseCrossSiteApiForms, requireOperator)
	// Before the per-account routes: PUT /api/accounts/{uid} creates the account the others need.
	.route("/api/accounts", accountsApi)
	.route("/api/accounts/:uid", pathAccountApi)
	.route("/api", defaultAccountApi)
	.route("/admin", adminPages)
	.route("/portal", portalPages)
	.notFound(() => {
		throw new HttpError("not_found", "No such route. See the README for the API.");
	})
	.onError((error, c) => {
		const known = knownError(error);
		if (known) return errorResponse(c, known);
		logUnhandled(c.req.raw, c.get("requestId"), error);
		return errorResponse(c, new HttpError("internal_error", INTERNAL_ERROR_MESSAGE));
	});
