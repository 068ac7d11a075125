/**
 * An endpoint's health: its newest attempt's outcome, kept on its own row so
 * that health is one row read, not a scan of the attempt history. Written
 * with the record of automatic attempts (record.ts) and of manual ones
 * (manualAttempt.ts).
 */
import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { endpoints } from "../db/schema";
import type { Completed } from "./record";
import type { SendResult } from "./send";

/** An unchanged outcome is written to the endpoint's health at most this often (every attempt is in its history). */
export const HEALTH_REFRESH_MS = 5000;

/**
 * What one invocation last wrote to each endpoint's health: an unchanged
 * outcome within HEALTH_REFRESH_MS of it needs no statement at all (the
 * statement would write nothing), so a batch's later waves to the same
 * endpoints cost no health statements.
 */
export class HealthLedger {
	private readonly written = new Map<string, SendResult>();

	/** True when `result` may change the endpoint's health row; it is then taken as written. */
	needsWrite(endpointId: string, result: SendResult): boolean {
		const last = this.written.get(endpointId);
		const unchanged =
			last !== undefined &&
			last.ok === result.ok &&
			last.statusCode === result.statusCode &&
			last.error === result.error &&
			result.startedAt >= last.startedAt &&
			result.startedAt - last.startedAt < HEALTH_REFRESH_MS;
		if (unchanged) return false;
		if (last === undefined || result.startedAt >= last.startedAt) this.written.set(endpointId, result);
		return true;
	}
}

/**
 * Each endpoint's newest outcome among `completed`, onto its row (its health).
 * An older result never overwrites a newer one, and an unchanged outcome is
 * rewritten at most every HEALTH_REFRESH_MS.
 */
export function recordHealth(db: Database, completed: readonly Completed[], ledger?: HealthLedger) {
	const newest = new Map<string, SendResult>();
	for (const { target, result } of completed) {
		if ((newest.get(target.endpointId)?.startedAt ?? -1) <= result.startedAt) newest.set(target.endpointId, result);
	}
	return [...newest]
		.filter(([endpointId, result]) => ledger?.needsWrite(endpointId, result) ?? true)
		.map(([endpointId, result]) => {
			const changed = or(
				sql`${endpoints.lastAttemptSucceeded} IS NOT ${result.ok ? 1 : 0}`,
				sql`${endpoints.lastStatusCode} IS NOT ${result.statusCode}`,
				sql`${endpoints.lastAttemptError} IS NOT ${result.error}`,
				lte(endpoints.lastAttemptAt, result.startedAt - HEALTH_REFRESH_MS),
			);
			return db
				.update(endpoints)
				.set({
					lastAttemptAt: result.startedAt,
					lastStatusCode: result.statusCode,
					lastAttemptSucceeded: result.ok,
					lastAttemptError: result.error,
				})
				.where(
					and(
						eq(endpoints.id, endpointId),
						or(isNull(endpoints.lastAttemptAt), and(lte(endpoints.lastAttemptAt, result.startedAt), changed)),
					),
				);
		});
}
