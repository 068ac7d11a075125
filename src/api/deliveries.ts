/** …/deliveries of one account: the delivery log, one delivery with its attempts, and Retry now. */
import { Hono } from "hono/tiny";
import { type OperatorEnv, operatorChange } from "../auth/operator";
import { readSettings } from "../config";
import { retryNow } from "../endpoints/deliveryActions";
import { scopeOf } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { readQuery } from "../http/readJson";
import { deliveryDetail, manualAttemptView } from "../reports/deliveryDetail";
import { listDeliveries } from "../reports/deliveryLog";
import { deliveryFilterSchema } from "../reports/filters";

export const deliveriesApi = new Hono<OperatorEnv>()
	.get("/", async (c) => c.json(await listDeliveries(scopeOf(c), readQuery(c, deliveryFilterSchema))))
	.get("/:id", async (c) => c.json(await deliveryDetail(scopeOf(c), c.req.param("id"))))
	.post("/:id/retry", limitBody.other, async (c) => {
		const attempt = await retryNow(c.env, operatorChange(c), readSettings(c.env), c.req.param("id"));
		return c.json({ delivery_status: attempt.deliveryStatus, attempt: manualAttemptView(attempt.completed.result) });
	});
