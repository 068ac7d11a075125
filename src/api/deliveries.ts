/** …/deliveries and …/events of one account: the delivery log, one delivery with its attempts, Retry now, events, one event. */
import { Hono } from "hono/tiny";
import type { AdminEnv } from "../auth/operator";
import { readSettings } from "../config";
import { retryNow } from "../endpoints/deliveryActions";
import { deliveryFilterSchema, eventFilterSchema } from "../endpoints/endpointRequests";
import { scopeOf } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { readQuery } from "../http/readJson";
import { deliveryDetail, eventDetail, listDeliveries, listEvents, manualAttemptView } from "../reports/deliveryLog";
import { operatorChange } from "./endpoints";

export const deliveriesApi = new Hono<AdminEnv>()
	.get("/", async (c) => c.json(await listDeliveries(scopeOf(c), readQuery(c, deliveryFilterSchema))))
	.get("/:id", async (c) => c.json(await deliveryDetail(scopeOf(c), c.req.param("id"))))
	.post("/:id/retry", limitBody.other, async (c) => {
		const attempt = await retryNow(operatorChange(c), readSettings(c.env), c.req.param("id"));
		return c.json({ delivery_status: attempt.deliveryStatus, attempt: manualAttemptView(attempt.completed.result) });
	});

export const eventsApi = new Hono<AdminEnv>()
	.get("/", async (c) => c.json(await listEvents(scopeOf(c), readQuery(c, eventFilterSchema))))
	.get("/:id", async (c) => c.json(await eventDetail(scopeOf(c), c.req.param("id"))));
