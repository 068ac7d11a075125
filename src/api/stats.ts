/** …/stats of one account: the last 24 h at a glance, and every endpoint's health. */
import { Hono } from "hono/tiny";
import { scopeOf } from "../../accounts/scope";
import type { AdminEnv } from "../auth/authenticate";
import { listEndpoints } from "../endpointStore";
import { readStats } from "../stats";

export const statsApi = new Hono<AdminEnv>().get("/", async (c) => {
	const scope = scopeOf(c);
	const [{ health, ...overview }, rows] = await Promise.all([readStats(scope), listEndpoints(scope)]);
	return c.json({ ...overview, endpoints: rows.map(health) });
});
