/**
 * Worker entry: HTTP (the Hono app), the delivery queue consumer, the cron
 * (sweep and retention), and the RetryScheduler Durable Object class.
 *
 * Data flows one way: ingest → fan-out (D1 + queue) → delivery attempt →
 * (RetryScheduler alarm → delivery attempt), with the sweep as a safety net.
 */
import { app } from "./app";
import { purgeExpired } from "./db/retention";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/queue";
import { logEvent } from "./log";
import { sweep } from "./retry/sweep";

export { RetryScheduler } from "./retry/scheduler";

export default {
	fetch: app.fetch,
	queue: (batch, env) => consumeDeliveries(batch, env),
	async scheduled(_controller, env) {
		const swept = await sweep(env);
		if (swept.requeued || swept.failed) logEvent("sweep", { requeued: swept.requeued, marked_failed: swept.failed });
		const purged = await purgeExpired(env);
		if (purged.deliveries || purged.events) logEvent("retention", { purged_deliveries: purged.deliveries, purged_events: purged.events });
	},
} satisfies ExportedHandler<Env, DeliveryMessage>;
