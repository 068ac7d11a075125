/**
 * Delivery state changes, in one place: which statuses are unfinished, what
 * finishing a delivery clears, what may be claimed, what the sweep may take,
 * how a delivery is held while it waits in a queue, and cancelling. Used by
 * the attempt, the sweep, the retry scheduler, the delivery actions
 * (endpoints/deliveryActions.ts) and the log.
 *
 *   pending ──attempt──▶ delivered
 *      │  └─fails──▶ retrying ──attempt──▶ delivered | failed (attempts used up, or 410)
 *      └──── endpoint deleted or disabled ──▶ cancelled
 */
import { and, eq, isNull, lt, lte, ne, or, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { type AccountScope, accountCheck, type Database, inList, pairIn } from "../db/client";
import { untouchedByMove } from "../db/moveMarkers";
import { type DeliveryStatus, deliveries, endpoints } from "../db/schema";

const UNFINISHED_STATUSES = ["pending", "retrying"] as const satisfies readonly DeliveryStatus[];
type FinishedStatus = Exclude<DeliveryStatus, (typeof UNFINISHED_STATUSES)[number]>;

/** An endpoint that receives deliveries: not deleted, enabled. Fan-out creates deliveries for these only, and a claim cancels those whose endpoint no longer is one. */
export function receivesDeliveries(): SQL {
	return and(isNull(endpoints.deletedAt), eq(endpoints.enabled, true)) as SQL;
}

export function isUnfinishedStatus(status: string): boolean {
	return (UNFINISHED_STATUSES as readonly string[]).includes(status);
}

/**
 * The delivery is pending or retrying. Literal constants, not parameters:
 * only then can SQLite use the partial index deliveries_unfinished. Every
 * unfinished delivery has a due time; saying so lets SQLite see that index
 * covers both terms, so it prefers it to the endpoint's whole history.
 */
export function unfinished(): SQL {
	return sql`${deliveries.status} IN ('pending', 'retrying') AND ${deliveries.nextAttemptAt} IS NOT NULL`;
}

/** What a delivery gets when it finishes: its status, and no due time, claim or lease left behind. */
export function finished(status: FinishedStatus, now: number) {
	return { status, nextAttemptAt: null, claimId: null, leaseUntil: null, updatedAt: now };
}

/**
 * Stranded at `now`: unfinished, overdue by STRANDED_AFTER_SECONDS and held
 * by nobody. What the sweep takes up, and the System page counts.
 */
export function stranded(settings: Settings, now: number): SQL {
	return and(
		unfinished(),
		lte(deliveries.nextAttemptAt, now - settings.strandedAfterMs),
		or(isNull(deliveries.leaseUntil), lte(deliveries.leaseUntil, now)),
	) as SQL;
}

/** A delivery addressed by its account and id: how every message, alarm and statement names one. */
export interface DeliveryRef {
	accountId: string;
	deliveryId: string;
}

/** Just the address of a delivery (a message or a claimed target carries more). */
export const refOf = (entry: DeliveryRef): DeliveryRef => ({ accountId: entry.accountId, deliveryId: entry.deliveryId });

/** A delivery's address as one string, for sets and maps. */
export const keyOf = (entry: DeliveryRef): string => `${entry.accountId}/${entry.deliveryId}`;

/** Matches the deliveries named by `refs`, through the primary key. */
export function deliveriesIn(refs: readonly DeliveryRef[]): SQL {
	return pairIn(
		deliveries.accountId,
		deliveries.id,
		refs.map((ref) => [ref.accountId, ref.deliveryId] as const),
	);
}

/** Automatic attempts a delivery gets: the first, plus MAX_RETRIES. */
export function maxAttempts(settings: Settings): number {
	return settings.maxRetries + 1;
}

/**
 * What an automatic attempt may claim at `now`: unfinished, attempts left,
 * due (a first attempt is due whenever it arrives: there is no previous
 * attempt to keep apart from, and a sender's clock may run ahead of ours), and
 * not held by an attempt in flight.
 */
export function claimable(settings: Settings, now: number): SQL {
	return and(
		unfinished(),
		lt(deliveries.attemptCount, maxAttempts(settings)),
		or(eq(deliveries.attemptCount, 0), lte(deliveries.nextAttemptAt, now)),
		noLiveClaim(now),
	) as SQL;
}

/** No attempt holds the delivery at `now`: never claimed, released, or claimed by an attempt whose lease has passed. */
export function noLiveClaim(now: number): SQL {
	return or(isNull(deliveries.claimId), lte(deliveries.leaseUntil, now)) as SQL;
}

/** An aggregate: the due time of the longest-waiting delivery among the rows (due, and not in flight); null when none waits. */
export function oldestWaitingSince(now: number): SQL<number | null> {
	return sql<
		number | null
	>`min(CASE WHEN ${noLiveClaim(now)} AND ${deliveries.nextAttemptAt} <= ${now} THEN ${deliveries.nextAttemptAt} END)`;
}

/**
 * How long an attempt's claim lasts: the wait for a connection (a claimed
 * delivery is at most one wave ahead: one send), its own timeout, the record
 * that follows, and slack for D1.
 */
export function claimLeaseMs(settings: Settings): number {
	return 2 * settings.deliveryTimeoutMs + 60_000;
}

/**
 * How long a delivery handed to a queue is left to that queue before the
 * sweep takes it up again: one retry interval (so a held-back first attempt
 * waits at most that long while its lane keeps up), and never less than the
 * sweep's own threshold.
 */
export function queueHoldMs(settings: Settings): number {
	return Math.max(settings.retryIntervalMs, settings.strandedAfterMs);
}

/**
 * Holds deliveries just handed to a queue, so the sweep leaves them to it. A
 * claim whose lease has passed (its Worker died mid-attempt; that attempt
 * stays counted) is cleared with it: left in place, it would keep the hold
 * from being written, and every sweep would hand the delivery over again. A
 * claim taken meanwhile keeps its own lease; a hold still good for more than
 * half its length is not rewritten (no row written for nothing).
 */
export function holdForQueue(db: Database, refs: readonly DeliveryRef[], settings: Settings, now: number) {
	const holdMs = queueHoldMs(settings);
	return db
		.update(deliveries)
		.set({ claimId: null, leaseUntil: now + holdMs })
		.where(
			and(
				deliveriesIn(refs),
				unfinished(),
				noLiveClaim(now),
				or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now + holdMs / 2)),
				// Held by a move: its rows are copied or frozen here; the message itself waits (dispatch.ts).
				untouchedByMove(deliveries.accountId),
			),
		);
}

/**
 * The statement that cancels the unfinished deliveries of endpoints that were
 * deleted or disabled, except `keepId` if given, and only while `onlyIf`
 * holds if given. For a batch.
 */
export function cancelUnfinishedDeliveries(
	scope: AccountScope,
	endpointIds: string[],
	now: number,
	{ keepId, onlyIf }: { keepId?: string; onlyIf?: SQL } = {},
) {
	const conditions = [accountCheck(deliveries.accountId, scope.accountId), inList(deliveries.endpointId, endpointIds), unfinished()];
	if (keepId) conditions.push(ne(deliveries.id, keepId));
	if (onlyIf) conditions.push(onlyIf);
	return scope.db
		.update(deliveries)
		.set(finished("cancelled", now))
		.where(and(...conditions));
}
