/**
 * The API of one account, the same for every account: mounted at `/api` for
 * the default account and at `/api/accounts/{uid}` for any account, so every
 * route has its per-account twin by construction.
 */
import { Hono } from "hono/tiny";
import type { AdminEnv } from "../auth/operator";
import { useAccountFromPath, useDefaultAccount } from "../http/accountScope";
import { deliveriesApi, eventsApi } from "./deliveries";
import { endpointsApi } from "./endpoints";
import { statsApi } from "./stats";

function accountApi() {
	return new Hono<AdminEnv>()
		.route("/endpoints", endpointsApi)
		.route("/deliveries", deliveriesApi)
		.route("/events", eventsApi)
		.route("/stats", statsApi);
}

export const defaultAccountApi = new Hono<AdminEnv>().use(useDefaultAccount).route("/", accountApi());
export const pathAccountApi = new Hono<AdminEnv>().use(useAccountFromPath).route("/", accountApi());
