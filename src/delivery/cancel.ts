import { and, inArray, ne } from "drizzle-orm";
import type { Database } from "../db/client";
import { deliveries } from "../db/schema";

/**
 * The statement that cancels the unfinished (pending, retrying) deliveries of
 * endpoints that were deleted or disabled, except `keepId` if given. For a batch.
 */
export function cancelUnfinishedDeliveries(db: Database, endpointIds: string[], now: number, keepId?: string) {
	const unfinished = and(inArray(deliveries.endpointId, endpointIds), inArray(deliveries.status, ["pending", "retrying"]));
	return db
		.update(deliveries)
		.set({ status: "cancelled", nextAttemptAt: null, claimId: null, updatedAt: now })
		.where(keepId ? and(unfinished, ne(deliveries.id, keepId)) : unfinished);
}
