/** /api/deliveries and /api/events: the delivery log, one delivery with its attempts, Retry now, one event. */
import { Hono } from "hono";
import { readSettings } from "../../config";
import { database } from "../../db/client";
import { readQuery } from "../../http/readJson";
import type { AdminEnv } from "../auth/authenticate";
import { retryNow } from "../deliveryActions";
import { deliveryDetail, eventDetail, listDeliveries, toAttemptView } from "../deliveryLog";
import { deliveryFilterSchema } from "./schemas";

export const deliveriesApi = new Hono<AdminEnv>()
	.get("/", async (c) => c.json(await listDeliveries(database(c.env), readQuery(c, deliveryFilterSchema))))
	.get("/:id", async (c) => c.json(await deliveryDetail(database(c.env), c.req.param("id"))))
	.post("/:id/retry", async (c) => {
		const attempt = await retryNow(database(c.env), readSettings(c.env), c.req.param("id"));
		return c.json({ delivery_status: attempt.deliveryStatus, attempt: toAttemptView(attempt) });
	});

export const eventsApi = new Hono<AdminEnv>().get("/:id", async (c) => c.json(await eventDetail(database(c.env), c.req.param("id"))));
