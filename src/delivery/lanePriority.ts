/**
 * The main lane first, within one isolate. Its invocations and the bulk
 * lane's share the isolate's one thread (locally always: one workerd isolate
 * runs every lane; on Cloudflare whenever both land in the same isolate), so
 * a burst's bulk sends and records take turns with the sends of the accounts
 * within their fair rate. While a main-lane batch that is behind runs here,
 * each bulk-lane batch here keeps at most BULK_SENDS_WHILE_MAIN_BEHIND send in
 * flight: the thread goes to the main lane, and the bulk lane keeps moving.
 * Nothing is stored, and nothing is asked of another isolate
 * (docs/delivery.md, "Fair share", has its limits and cost).
 */
import { LANES_PER_INVOCATION } from "./isolation";
import type { Lane } from "./queue";

/** A main-lane batch whose oldest message was queued this long before it started is behind (judged once, at its start). */
export const MAIN_LANE_BEHIND_MS = 200;

/** Sends a bulk-lane batch keeps in flight while a main-lane batch that is behind runs in the isolate. */
export const BULK_SENDS_WHILE_MAIN_BEHIND = 1;

/** Main-lane batches running in this isolate that are behind. */
let mainBatchesBehind = 0;

/** Runs `work`, a batch of `lane`; a main-lane batch that is behind holds the isolate's bulk lane back until it ends. */
export async function withMainLaneFirst<T>(lane: Lane, messages: readonly { timestamp: Date }[], work: () => Promise<T>): Promise<T> {
	if (lane !== "main") return work();
	// No messages: the oldest is at +Infinity, and the batch is not behind.
	const oldestAt = Math.min(...messages.map((message) => message.timestamp.getTime()));
	if (Date.now() - oldestAt < MAIN_LANE_BEHIND_MS) return work();
	mainBatchesBehind++;
	try {
		return await work();
	} finally {
		mainBatchesBehind--;
	}
}

/** How many sends a batch of `lane` may have in flight right now. */
export function sendsAllowed(lane: Lane): number {
	return lane === "bulk" && mainBatchesBehind > 0 ? BULK_SENDS_WHILE_MAIN_BEHIND : LANES_PER_INVOCATION;
}
