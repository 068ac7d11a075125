/**
 * Worker entry: HTTP (the Hono app), the consumer of both delivery queues, the
 * cron (sweep and housekeeping), and the RetryScheduler Durable Object class.
 *
 * Data flows one way: ingest (event + deliveries in D1, one queue message per
 * delivery, on the main lane or, for an isolated endpoint, the isolation
 * lane) → delivery (attempt in waves, record) → a failed one's RetryScheduler
 * alarm → back to the isolation lane when due. The sweep is the safety net.
 *
 *   src/ingest/    POST /events, POST /accounts/{uid}/events: checks, idempotency, event + fan-out in one batch
 *   src/delivery/  the queues and lanes, isolation, the attempt (claim, send, record), the consumer
 *   src/retry/     the RetryScheduler Durable Object and the sweep
 *   src/accounts/  accounts, admin links, portal sessions, the operator's accounts API
 *   src/admin/     each account's API (api/), pages (pages/: /admin and /portal), sign-in (auth/)
 *   src/db/        the Drizzle schema, the data-access seam, retention
 *   src/security/  which destinations may be posted to; src/http/: errors, request ids, static assets
 *   static/        the Worker's static assets: stylesheet, OpenAPI document, SupportBee samples
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
