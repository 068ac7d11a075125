/**
 * Arms a failed delivery's RetryScheduler (retry/scheduler.ts): one Durable
 * Object per delivery, named by its account and id, whose alarm hands the
 * delivery to its account's pacer when its next attempt is due.
 */
import type { DeliveryRef } from "./stateChanges";

export function retrySchedulerName(ref: Pick<DeliveryRef, "accountId" | "deliveryId">): string {
	return `${ref.accountId}:${ref.deliveryId}`;
}

export async function armRetryAlarm(env: Env, ref: DeliveryRef, at: number): Promise<void> {
	await env.RETRY_SCHEDULER.getByName(retrySchedulerName(ref)).schedule(ref, at);
}
