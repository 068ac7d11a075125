/** …/stats of one account: the last 24 h at a glance, and every endpoint's health. */
import { Hono } from "hono/tiny";
import type { OperatorEnv } from "../auth/operator";
import { listEndpoints } from "../endpoints/endpointStore";
import { scopeOf } from "../http/accountScope";
import { readStats } from "../reports/accountStats";

export const statsApi = new Hono<OperatorEnv>().get("/", async (c) => {
	const scope = scopeOf(c);
	const [{ health, ...overview }, rows] = await Promise.all([readStats(scope), listEndpoints(scope)]);
	return c.json({ ...overview, endpoints: rows.map(health) });
});
