/** …/deliveries and …/events of one account: the delivery log, one delivery with its attempts, Retry now, events, one event. */
import { Hono } from "hono/tiny";
import { scopeOf } from "../../accounts/scope";
import { readSettings } from "../../config";
import { limitBody } from "../../http/bodyLimit";
import { readQuery } from "../../http/readJson";
import type { AdminEnv } from "../auth/authenticate";
import { retryNow } from "../deliveryActions";
import { deliveryDetail, eventDetail, listDeliveries, listEvents, manualAttemptView } from "../deliveryLog";
import { operatorChange } from "./endpoints";
import { deliveryFilterSchema, eventFilterSchema } from "./schemas";

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
