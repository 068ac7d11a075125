/**
 * The HTTP surface, composed in one place: health, ingest, the operator's API
 * (accounts, and each account's API: the default account's at /api, any
 * account's at /api/accounts/{uid}), its OpenAPI document, the operator's
 * pages (/admin), the accounts' portal (/portal), and the one error shape.
 */
import { Hono } from "hono/tiny";
import { accountsApi } from "./accounts/api";
import { defaultAccountApi, pathAccountApi } from "./admin/api/accountApi";
import { OPENAPI_PATH } from "./admin/api/openapi";
import type { AdminEnv } from "./admin/auth/authenticate";
import { adminSecurityHeaders, noStore, refuseCrossSiteApiForms, requireOperator } from "./admin/auth/guards";
import { STYLESHEET_PATH } from "./admin/pages/layout";
import { adminPages } from "./admin/pages/operatorRoutes";
import { portalPages } from "./admin/pages/portalRoutes";
import { staticAsset } from "./http/assets";
import { errorResponse, HttpError, INTERNAL_ERROR_MESSAGE } from "./http/errors";
import { logUnhandled, requestId } from "./http/requestId";
import { ingestRoutes } from "./ingest/route";

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
		if (error instanceof HttpError) return errorResponse(c, error);
		logUnhandled(c.req.raw, c.get("requestId"), error);
		return errorResponse(c, new HttpError("internal_error", INTERNAL_ERROR_MESSAGE));
	});
