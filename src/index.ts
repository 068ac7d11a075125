/**
 * Worker entry: HTTP (the Hono app), the consumer of the three delivery queues
 * (then the operational messages its records made), the cron (sweep,
 * auto-disable, housekeeping, the copy into deliveries_v2, operational
 * messages left behind), and the Durable Objects: RetryScheduler (a failed delivery's alarm), AccountPacer
 * (an account's share of the lanes) and AccountMover (an account's move to
 * another database). Ingest → delivery → retry, with the sweep
 * as the safety net.
 * How it works, folder by folder: ../README.md#how-it-works
 */
import { purgeDeletedAccounts } from "./accounts/accountDeletion";
import { purgeSpentLinksAndSessions } from "./accounts/links";
import { disableFailingEndpoints } from "./alerts/autoDisable";
import { storeOperationalMessages } from "./alerts/operationalMessages";
import { app } from "./app";
import { databaseNames, directoryDatabase } from "./db/client";
import { runRecorded } from "./db/cronRuns";
import { purgeExpired } from "./db/retention";
import { consumeDeliveries } from "./delivery/consumer";
import type { DeliveryMessage } from "./delivery/queue";
import { purgeExpiredSignedIds } from "./ingest/signedIds";
import { logEvent } from "./lib/log";
import { sweep } from "./retry/sweep";

export { AccountMover } from "./accounts/accountMover";
export { AccountPacer } from "./delivery/accountPacer";
export { RetryScheduler } from "./retry/scheduler";

export default {
	fetch: app.fetch,
	async queue(batch, env) {
		await storeOperationalMessages(env, await consumeDeliveries(batch, env));
	},
	async scheduled(_controller, env) {
		const swept = await runRecorded(env, "sweep", async () => ({ ...(await sweep(env)), disabled: await disableFailingEndpoints(env) }));
		if (swept.requeued || swept.failed || swept.disabled)
			logEvent("sweep", { requeued: swept.requeued, marked_failed: swept.failed, disabled: swept.disabled });
		const purged = await runRecorded(env, "retention", () => purgeExpired(env));
		if (purged.deliveries || purged.events) logEvent("retention", { purged_deliveries: purged.deliveries, purged_events: purged.events });
		const accounts = await purgeDeletedAccounts(env);
		if (accounts) logEvent("accounts_purged", { accounts });
		const now = Date.now();
		await directoryDatabase(env).batch([...purgeSpentLinksAndSessions(env, now), purgeExpiredSignedIds(env, now)]);
		await storeOperationalMessages(env, databaseNames(env));
	},
} satisfies ExportedHandler<Env, DeliveryMessage>;
