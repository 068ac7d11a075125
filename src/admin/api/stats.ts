/** /api/stats: the last 24 h at a glance, and every endpoint's health. */
import { Hono } from "hono";
import { database } from "../../db/client";
import type { AdminEnv } from "../auth/authenticate";
import { listEndpoints } from "../endpointStore";
import { readStats } from "../stats";

export const statsApi = new Hono<AdminEnv>().get("/", async (c) => {
	const db = database(c.env);
	const [{ health, ...overview }, rows] = await Promise.all([readStats(db), listEndpoints(db)]);
	return c.json({ ...overview, endpoints: rows.map((row) => health(row.id)) });
});
