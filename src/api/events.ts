/** …/events of one account: the events it received, and one event with its body and deliveries. */
import { Hono } from "hono/tiny";
import type { OperatorEnv } from "../auth/operator";
import { scopeOf } from "../http/accountScope";
import { readQuery } from "../http/readJson";
import { eventDetail, listEvents } from "../reports/eventLog";
import { eventFilterSchema } from "../reports/filters";

export const eventsApi = new Hono<OperatorEnv>()
	.get("/", async (c) => c.json(await listEvents(scopeOf(c), readQuery(c, eventFilterSchema))))
	.get("/:id", async (c) => c.json(await eventDetail(scopeOf(c), c.req.param("id"))));
