/**
 * An account's delivery log as pages: deliveries newest first (filtered),
 * the search box's answer, one delivery with its attempts and payload, and
 * Retry now (Resend once delivered).
 */
import { Hono } from "hono/tiny";
import { readSettings } from "../config";
import { maskedHeaders } from "../endpoints/customHeaders";
import { retryNow } from "../endpoints/deliveryActions";
import { findEndpoint, listEndpoints, storedHeaders } from "../endpoints/endpointStore";
import { limitBody } from "../http/bodyLimit";
import { deliveryDetail } from "../reports/deliveryDetail";
import { listDeliveries } from "../reports/deliveryLog";
import { eventDetail } from "../reports/eventLog";
import { deliveryFilterSchema } from "../reports/filters";
import { isReadOnly, maxAttemptsOf, type PageContext, type PageEnv, pageChange, pageChrome, readFilters } from "./context";
import { done, orRefused, plainProblem, type RefusedStatus } from "./forms";
import { DeliveriesPage } from "./views/deliveriesPage";
import { DeliveryPage } from "./views/deliveryPage";

export const deliveryPages = new Hono<PageEnv>()
	.get("/deliveries", async (c) => {
		const change = pageChange(c);
		const { query, filter } = readFilters(c, deliveryFilterSchema);
		const [page, rows] = await Promise.all([listDeliveries(change, filter), listEndpoints(change)]);
		return c.html(
			<DeliveriesPage
				chrome={pageChrome(c, "Deliveries", "deliveries")}
				filter={filter}
				query={query}
				endpoints={rows.map((row) => ({ id: row.id, url: row.url }))}
				deliveries={page.deliveries}
				nextCursor={page.next_cursor}
				prevCursor={page.prev_cursor}
				maxAttempts={maxAttemptsOf(c)}
			/>,
		);
	})
	// The search box: an id goes to its page, anything else is a ticket number.
	.get("/search", (c) => {
		const q = (c.req.query("q") ?? "").trim().replace(/^#/, "");
		const base = c.var.base;
		// Ids are lower case; one pasted in capitals is still an id, not a ticket number.
		if (/^dlv_\w+$/i.test(q)) return c.redirect(`${base}/deliveries/${q.toLowerCase()}`, 303);
		if (/^evt_\w+$/i.test(q)) return c.redirect(`${base}/events/${q.toLowerCase()}`, 303);
		return c.redirect(q ? `${base}/deliveries?ticket_id=${encodeURIComponent(q)}` : `${base}/deliveries`, 303);
	})
	.get("/deliveries/:id", (c) => renderDelivery(c))
	.post("/deliveries/:id/retry", limitBody.other, (c) =>
		orRefused(
			async () => {
				await retryNow(c.env, pageChange(c), readSettings(c.env), c.req.param("id"));
				return done(c, `/deliveries/${c.req.param("id")}`, "retried");
			},
			// Over the account's manual actions a minute: back on the delivery, saying when to try again.
			(error, status) => renderDelivery(c, plainProblem(error), status),
		),
	);

/** The delivery's page, with what was refused when a form on it was. */
async function renderDelivery(c: PageContext, error?: string, status: 200 | RefusedStatus = 200) {
	const change = pageChange(c);
	const delivery = await deliveryDetail(change, c.req.param("id") ?? "");
	const [event, endpoint] = await Promise.all([eventDetail(change, delivery.event_id), findEndpoint(change, delivery.endpoint_id)]);
	return c.html(
		<DeliveryPage
			chrome={{ ...pageChrome(c, "Delivery", "deliveries"), error, errorCard: "attempts" }}
			delivery={delivery}
			endpoint={endpoint ? { enabled: endpoint.enabled, headers: maskedHeaders(storedHeaders(endpoint)) } : null}
			payload={event.body}
			readOnly={isReadOnly(c)}
			maxAttempts={maxAttemptsOf(c)}
		/>,
		status,
	);
}
