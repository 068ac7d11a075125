/**
 * An endpoint's health: its newest automatic attempt's outcome and its failing
 * streak (automatic attempts failed in a row since the last success, and since
 * when), kept on its own row so that health is one row read, not a scan of
 * the attempt history. Written with the record of automatic attempts
 * (record.ts), one statement per endpoint per record: a success resets the
 * streak, the failures of a record are added to it at once. A manual "Retry
 * now" is in its delivery's history only: it changes no endpoint's health.
 * The facts the streak makes (alerting, recovering, auto-disable) are recorded
 * around the statement that writes it (operationalFacts.ts).
 */
import { and, eq, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { endpoints } from "../db/schema";
import { disableFailing, recordFailing, recordRecovered } from "./operationalFacts";
import type { Completed } from "./record";
import type { SendResult } from "./send";

/** An unchanged success is written to the endpoint's health at most this often (every attempt is in its history). */
export const HEALTH_REFRESH_MS = 5000;

/**
 * What one invocation last wrote to each endpoint's health: an unchanged
 * success within HEALTH_REFRESH_MS of it needs no statement at all (the
 * statement would write nothing), so a batch's later waves to the same healthy
 * endpoints cost no health statements. A failure always does: it adds to the
 * streak.
 */
export class HealthLedger {
	private readonly written = new Map<string, SendResult>();

	/** True when `result` may change the endpoint's health row; it is then taken as written. */
	needsWrite(endpointId: string, result: SendResult): boolean {
		const last = this.written.get(endpointId);
		const unchanged =
			last !== undefined &&
			result.ok &&
			last.ok &&
			last.statusCode === result.statusCode &&
			last.error === result.error &&
			result.startedAt >= last.startedAt &&
			result.startedAt - last.startedAt < HEALTH_REFRESH_MS;
		if (unchanged) return false;
		if (last === undefined || result.startedAt >= last.startedAt) this.written.set(endpointId, result);
		return true;
	}
}

/** One endpoint's results in a record: the newest, and the failures since the newest success among them. */
interface Outcome {
	newest: SendResult;
	/** Its streak had alerted when one of these was claimed: a success tells the operator it recovered. */
	alerted: boolean;
	/** A success is among them: the streak restarts from it. */
	succeeded: boolean;
	failuresSince: number;
	/** When the first of those failures started. */
	firstFailureAt: number | null;
}

function outcomesByEndpoint(completed: readonly Completed[]): Map<string, Outcome> {
	const byEndpoint = new Map<string, SendResult[]>();
	const alerted = new Set<string>();
	for (const { target, result } of completed) {
		byEndpoint.set(target.endpointId, [...(byEndpoint.get(target.endpointId) ?? []), result]);
		if (target.alertedSince !== null) alerted.add(target.endpointId);
	}
	return new Map(
		[...byEndpoint].map(([endpointId, results]) => {
			const inOrder = [...results].sort((a, b) => a.startedAt - b.startedAt);
			const lastSuccess = inOrder.findLastIndex((result) => result.ok);
			const failures = inOrder.slice(lastSuccess + 1);
			return [
				endpointId,
				{
					newest: inOrder[inOrder.length - 1],
					alerted: alerted.has(endpointId),
					succeeded: lastSuccess !== -1,
					failuresSince: failures.length,
					firstFailureAt: failures[0]?.startedAt ?? null,
				},
			];
		}),
	);
}

/**
 * The statements that write each endpoint's health from `completed` (automatic
 * attempts): the newest outcome onto its row unless a newer one is there
 * already, and the streak. An unchanged success is rewritten at most every
 * HEALTH_REFRESH_MS.
 */
export function recordHealth(db: Database, settings: Settings, completed: readonly Completed[], ledger: HealthLedger, now: number) {
	return [...outcomesByEndpoint(completed)]
		.filter(([endpointId, outcome]) => ledger.needsWrite(endpointId, outcome.newest))
		.flatMap(([endpointId, outcome]) =>
			outcome.newest.ok
				? // Only after a streak known to have alerted (so the success path costs no statement): one not seen yet is
					// told at the first success after a claim that sees it.
					outcome.alerted
					? [recordRecovered(db, endpointId, outcome.newest.startedAt, now), recordSuccess(db, endpointId, outcome.newest, true)]
					: [recordSuccess(db, endpointId, outcome.newest, false)]
				: [
						recordFailures(db, endpointId, outcome),
						...recordFailing(db, settings, endpointId, now),
						...disableFailing(db, settings, now, eq(endpoints.id, endpointId)),
					],
		);
}

/** The stored newest attempt is not newer than `startedAt`. */
const notNewerThan = (startedAt: number) => or(isNull(endpoints.lastAttemptAt), lte(endpoints.lastAttemptAt, startedAt)) as SQL;

const newestColumns = (result: SendResult) => ({
	lastAttemptAt: result.startedAt,
	lastStatusCode: result.statusCode,
	lastAttemptSucceeded: result.ok,
	lastAttemptError: result.error,
});

/**
 * The newest is a success: the streak ends, and with `recovered` (told just
 * before) its alert is done with. Writes only what changes (or an unchanged
 * outcome after HEALTH_REFRESH_MS).
 */
function recordSuccess(db: Database, endpointId: string, result: SendResult, recovered: boolean) {
	const changed = or(
		sql`${endpoints.lastAttemptSucceeded} IS NOT 1`,
		sql`${endpoints.lastStatusCode} IS NOT ${result.statusCode}`,
		sql`${endpoints.lastAttemptError} IS NOT ${result.error}`,
		sql`${endpoints.consecutiveFailures} != 0`,
		recovered ? sql`${endpoints.alertedSince} IS NOT NULL` : undefined,
		lte(endpoints.lastAttemptAt, result.startedAt - HEALTH_REFRESH_MS),
	);
	return db
		.update(endpoints)
		.set({ ...newestColumns(result), consecutiveFailures: 0, failingSince: null, ...(recovered ? { alertedSince: null } : {}) })
		.where(and(eq(endpoints.id, endpointId), or(isNull(endpoints.lastAttemptAt), and(notNewerThan(result.startedAt), changed))));
}

/**
 * The newest is a failure: the newest outcome (unless a newer one is stored)
 * and the streak. After a success in the same record the streak is the
 * failures since it; otherwise they are added, unless a newer success is
 * stored already (they came before it).
 */
function recordFailures(db: Database, endpointId: string, outcome: Outcome) {
	const { newest, failuresSince, firstFailureAt } = outcome;
	const fresh = notNewerThan(newest.startedAt);
	const restarts = outcome.succeeded ? fresh : sql`0`;
	const counts = sql`NOT (${endpoints.lastAttemptSucceeded} IS 1 AND ${endpoints.lastAttemptAt} > ${firstFailureAt})`;
	// SQLite computes every SET from the row as it was, so each CASE sees the stored values.
	const whenFresh = (value: unknown, column: SQLiteColumn) => sql`CASE WHEN ${fresh} THEN ${value} ELSE ${column} END`;
	return db
		.update(endpoints)
		.set({
			lastAttemptAt: whenFresh(newest.startedAt, endpoints.lastAttemptAt),
			lastStatusCode: whenFresh(newest.statusCode, endpoints.lastStatusCode),
			lastAttemptSucceeded: whenFresh(0, endpoints.lastAttemptSucceeded),
			lastAttemptError: whenFresh(newest.error, endpoints.lastAttemptError),
			consecutiveFailures: sql`CASE WHEN ${restarts} THEN ${failuresSince} WHEN ${counts} THEN ${endpoints.consecutiveFailures} + ${failuresSince} ELSE ${endpoints.consecutiveFailures} END`,
			failingSince: sql`CASE WHEN ${restarts} THEN ${firstFailureAt} WHEN ${counts} THEN coalesce(${endpoints.failingSince}, ${firstFailureAt}) ELSE ${endpoints.failingSince} END`,
		})
		.where(and(eq(endpoints.id, endpointId), or(fresh, counts)));
}
