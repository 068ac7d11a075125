/**
 * Worker entry: HTTP (the Hono app), the consumer of the three delivery queues,
 * the cron (sweep and housekeeping), and the Durable Objects: RetryScheduler
 * (a failed delivery's alarm) and AccountPacer (an account's share of the lanes).
 * Ingest → delivery → retry, with the sweep as the safety net.
 * How it works, folder by folder: ../README.md#how-it-works
 */
import { purgeDeletedAccounts } from "./accounts/accountDeletion";
import { purgeSpentLinksAndSessions } from "./accounts/links";
import { app } from "./app";
import { directoryDatabase } from "./db/client";
import { purgeExpired } from "./db/retention";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/queue";
import { purgeExpiredSignedIds } from "./ingest/signedIds";
import { logEvent } from "./lib/log";
import { sweep } from "./retry/sweep";

export { AccountPacer } from "./delivery/accountPacer";
export { RetryScheduler } from "./retry/scheduler";

export default {
	fetch: app.fetch,
	queue: (batch, env) => consumeDeliveries(batch, env),
	async scheduled(_controller, env) {
		const swept = await sweep(env);
		if (swept.requeued || swept.failed) logEvent("sweep", { requeued: swept.requeued, marked_failed: swept.failed });
		const purged = await purgeExpired(env);
		if (purged.deliveries || purged.events) logEvent("retention", { purged_deliveries: purged.deliveries, purged_events: purged.events });
		const accounts = await purgeDeletedAccounts(env);
		if (accounts) logEvent("accounts_purged", { accounts });
		const now = Date.now();
		await directoryDatabase(env).batch([...purgeSpentLinksAndSessions(env, now), purgeExpiredSignedIds(env, now)]);
	},
} satisfies ExportedHandler<Env, DeliveryMessage>;
