/**
 * Worker entry: HTTP (the Hono app), the delivery queue consumer, the sweep
 * cron, and the RetryScheduler Durable Object class.
 *
 * Data flows one way: ingest → fan-out (D1 + queue) → delivery attempt →
 * (RetryScheduler alarm → delivery attempt), with the sweep as a safety net.
 */
import { app } from "./app";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./fanout/enqueue";
import { sweep } from "./retry/sweep";

export { RetryScheduler } from "./retry/scheduler";

export default {
	fetch: app.fetch,
	queue: (batch, env) => consumeDeliveries(batch, env),
	async scheduled(_controller, env) {
		const report = await sweep(env);
		if (report.requeued || report.failed) console.log(`sweep: requeued ${report.requeued}, marked failed ${report.failed}`);
	},
} satisfies ExportedHandler<Env, DeliveryMessage>;
