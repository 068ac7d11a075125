/**
 * /api: the operator's API, behind the operator's credentials, a CSRF check
 * for browser forms, strict headers and no caching. The accounts themselves
 * at /api/accounts; the API of one account, the same for every account, at
 * `/api` for the default account and at `/api/accounts/{uid}` for any
 * account, so every route has its per-account twin by construction. The
 * operator's own operational endpoints at /api/operational-endpoints (no twin).
 */
import { Hono } from "hono/tiny";
import { noStore, refuseCrossSiteApiForms, requireOperator, securityHeaders } from "../auth/guards";
import type { OperatorEnv } from "../auth/operator";
import { useAccountFromPath, useDefaultAccount } from "../http/accountScope";
import { accountsApi } from "./accounts";
import { deliveriesApi } from "./deliveries";
import { endpointsApi } from "./endpoints";
import { eventsApi } from "./events";
import { operationalEndpointsApi } from "./operationalEndpoints";
import { statsApi } from "./stats";

function accountApi() {
	return new Hono<OperatorEnv>()
		.route("/endpoints", endpointsApi)
		.route("/deliveries", deliveriesApi)
		.route("/events", eventsApi)
		.route("/stats", statsApi);
}

export const operatorApi = new Hono<OperatorEnv>()
	.use("*", securityHeaders, noStore, refuseCrossSiteApiForms, requireOperator)
	// Before the per-account routes: PUT /api/accounts/{uid} creates the account the others need.
	.route("/accounts", accountsApi)
	.route("/operational-endpoints", operationalEndpointsApi)
	.route("/accounts/:uid", new Hono<OperatorEnv>().use(useAccountFromPath).route("/", accountApi()))
	.route("/", new Hono<OperatorEnv>().use(useDefaultAccount).route("/", accountApi()));
