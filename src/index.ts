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
import type { DeliveryMessage } from "./fanout/enqueue";
import { sweep } from "./retry/sweep";

export { RetryScheduler } from "./retry/scheduler";

export default {
	fetch: app.fetch,
	queue: (batch, env) => consumeDeliveries(batch, env),
	async scheduled(_controller, env) {
		const swept = await sweep(env);
		if (swept.requeued || swept.failed) console.log(`sweep: requeued ${swept.requeued}, marked failed ${swept.failed}`);
		const purged = await purgeExpired(env);
		if (purged.deliveries || purged.events) console.log(`retention: purged ${purged.deliveries} deliveries, ${purged.events} events`);
	},
} satisfies ExportedHandler<Env, DeliveryMessage>;
