import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

/** Alarms outlive a test in the vitest integration: delete them so the next test starts clean. */
export async function clearRetryAlarms() {
	for (const id of await listDurableObjectIds(env.RETRY_SCHEDULER)) {
		await runInDurableObject(env.RETRY_SCHEDULER.get(id), async (_instance, state) => {
			await state.storage.deleteAlarm();
			await state.storage.deleteAll();
		});
	}
}
