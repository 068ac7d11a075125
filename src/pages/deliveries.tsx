/** An account's delivery log as pages: deliveries newest first (filtered), one delivery with its attempts and payload, and Retry now. */
import { Hono } from "hono/tiny";
import { readSettings } from "../config";
import { retryNow } from "../endpoints/deliveryActions";
import { listEndpoints } from "../endpoints/endpointStore";
import { limitBody } from "../http/bodyLimit";
import { validateInput } from "../http/readJson";
import { deliveryDetail, listDeliveries } from "../reports/deliveryLog";
import { eventDetail } from "../reports/eventLog";
import { deliveryFilterSchema } from "../reports/filters";
import { filterQuery, isReadOnly, type PageEnv, pageChange, pageChrome } from "./context";
import { done } from "./forms";
import { DeliveriesPage } from "./views/deliveriesPage";
import { DeliveryPage } from "./views/deliveryPage";

export const deliveryPages = new Hono<PageEnv>()
	.get("/deliveries", async (c) => {
		const change = pageChange(c);
		const query = filterQuery(c);
		const filter = validateInput(query, deliveryFilterSchema, "query");
		const [page, rows] = await Promise.all([listDeliveries(change, filter), listEndpoints(change)]);
		return c.html(
			<DeliveriesPage
				chrome={pageChrome(c, "Deliveries", "deliveries")}
				filter={filter}
				endpoints={rows.map((row) => ({ id: row.id, url: row.url }))}
				deliveries={page.deliveries}
				nextCursor={page.next_cursor}
			/>,
		);
	})
	.get("/deliveries/:id", async (c) => {
		const change = pageChange(c);
		const delivery = await deliveryDetail(change, c.req.param("id"));
		const event = await eventDetail(change, delivery.event_id);
		return c.html(
			<DeliveryPage chrome={pageChrome(c, "Delivery", "deliveries")} delivery={delivery} payload={event.body} readOnly={isReadOnly(c)} />,
		);
	})
	.post("/deliveries/:id/retry", limitBody.other, async (c) => {
		await retryNow(c.env, pageChange(c), readSettings(c.env), c.req.param("id"));
		return done(c, `/deliveries/${c.req.param("id")}`, "retried");
	});
