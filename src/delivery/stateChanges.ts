/**
 * Delivery state changes, in one place: which statuses are unfinished, what
 * finishing a delivery clears, what may be claimed, what the sweep may take,
 * how a delivery is held while it waits in a queue, and cancelling. Used by
 * the attempt, the sweep, the retry scheduler, the delivery actions
 * (endpoints/deliveryActions.ts) and the log.
 *
 *   new ──(the sweep, after NEW_FOR_MS)──▶ pending
 *    └──────────────┴──attempt──▶ delivered
 *                   │  └─fails──▶ retrying ──attempt──▶ delivered | failed (attempts used up, or 410)
 *                   └──── endpoint deleted or disabled ──▶ cancelled
 *
 * `new` is a first attempt made by ingest, and is shown as `pending`: kept out
 * of deliveries_v2_unfinished, it costs one index entry fewer (bench/README.md).
 * Its id tells when it was made, so it is found by id instead, over the last
 * NEW_WINDOW_MS: every one older than NEW_FOR_MS is filed as `pending` by the
 * sweep, in the index, whatever holds it (a pacer's backlog, a claim).
 *
 * Deliveries are rows of `deliveries_v2` (db/keyedSchema.ts), reached through
 * db/keyedDeliveries.ts: endpoint by endpoint, each a range of the primary key.
 */
import { and, eq, gte, inArray, isNotNull, isNull, lt, lte, ne, or, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { type AccountScope, accountCheck, type Database, inList } from "../db/client";
import { accountIdText, type KeyedDelivery, keysWhere, statusesIn, theseDeliveries, toEndpointsWhere } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { untouchedByMove } from "../db/moveMarkers";
import { type DeliveryStatus, endpoints, type StoredDeliveryStatus } from "../db/schema";
import { idFloor } from "../lib/ids";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../lib/time";

const UNFINISHED_STATUSES = ["new", "pending", "retrying"] as const satisfies readonly StoredDeliveryStatus[];
type FinishedStatus = Exclude<DeliveryStatus, (typeof UNFINISHED_STATUSES)[number]>;

/** How long a first attempt stays `new` (out of deliveries_v2_unfinished) before the sweep files it as `pending`. */
export const NEW_FOR_MS = 10 * MINUTE_MS;

/**
 * How far back, by id, `new` deliveries are looked for: NEW_FOR_MS, and time
 * for sweeps that did not run (a `new` delivery older than this would be out
 * of every index's sight): the cron may miss well over an hour.
 */
export const NEW_WINDOW_MS = 2 * HOUR_MS;

/** A stored status as the API and the pages show it: a `new` delivery is pending. */
export function shownStatus(status: StoredDeliveryStatus): DeliveryStatus {
	return status === "new" ? "pending" : status;
}

/** The stored statuses shown as `status`. */
export function storedAs(status: DeliveryStatus): StoredDeliveryStatus[] {
	return status === "pending" ? ["new", "pending"] : [status];
}

/** An endpoint that receives deliveries: not deleted, enabled. Fan-out creates deliveries for these only, and a claim cancels those whose endpoint no longer is one. */
export function receivesDeliveries(): SQL {
	return and(isNull(endpoints.deletedAt), eq(endpoints.enabled, true)) as SQL;
}

export function isUnfinishedStatus(status: string): boolean {
	return (UNFINISHED_STATUSES as readonly string[]).includes(status);
}

/** The delivery is unfinished (new, pending or retrying): for statements that name deliveries by primary key. */
export function unfinished(): SQL {
	return statusesIn(UNFINISHED_STATUSES);
}

/** Every endpoint of the database (a condition on endpoint_keys): what the sweep and the System page look through. */
export const everyEndpoint = (): SQL => sql`1`;

/** The endpoints `endpointIds` (a subquery of endpoints' ids) selects, as a condition on endpoint_keys. */
export const endpointsIn = (endpointIds: SQL): SQL => sql`${endpointKeys.endpointId} IN ${endpointIds}`;

/**
 * Every unfinished delivery to the endpoints `endpointsWhere` (a condition on
 * endpoint_keys) picks, through indexes only: the pending and retrying ones in
 * deliveries_v2_unfinished, by endpoint key alone (with the account too, SQLite
 * would prefer the primary key and walk each endpoint's history), and the new
 * ones (made in the last `newWithin`) by id, each endpoint's range of the
 * primary key.
 */
export function unfinishedTo(endpointsWhere: SQL, now: number, newWithin = NEW_WINDOW_MS): SQL {
	// Every unfinished delivery has a due time: saying so lets SQLite see the partial index covers both terms.
	const indexed = and(
		statusesIn(["pending", "retrying"]),
		isNotNull(deliveriesV2.nextAttemptAt),
		inArray(deliveriesV2.endpointKey, keysWhere(endpointsWhere)),
	);
	const recent = and(statusesIn(["new"]), toEndpointsWhere(endpointsWhere), gte(deliveriesV2.id, idFloor("dlv", now - newWithin)));
	return sql`(${or(indexed, recent)})`;
}

/** Every unfinished delivery of the account (to the endpoints `endpointIds` names, if given). */
export function unfinishedOf(accountId: string, now: number, endpointIds?: readonly string[]): SQL {
	const ofAccount = eq(endpointKeys.accountId, accountId);
	const endpointsWhere = (endpointIds ? and(ofAccount, inList(endpointKeys.endpointId, endpointIds)) : ofAccount) as SQL;
	return and(unfinishedTo(endpointsWhere, now), accountCheck(deliveriesV2.accountId, accountId)) as SQL;
}

/** What a delivery gets when it finishes: its status, and no due time, claim or lease left behind. */
export function finished(status: FinishedStatus, now: number) {
	return { status, nextAttemptAt: null, claimId: null, leaseUntil: null, updatedAt: now };
}

/** The row's account is not held here by a move (db/moveMarkers.ts). */
export const untouchedDeliveries = (): SQL => untouchedByMove(accountIdText());

/**
 * Stranded at `now`: unfinished, overdue by STRANDED_AFTER_SECONDS and held
 * by nobody, a move included (its copy in the target is taken up there once it
 * has moved). What the sweep takes up, and the System page counts: among every
 * endpoint's unfinished deliveries, or `among` (those already named by key).
 */
export function stranded(settings: Settings, now: number, among = unfinishedTo(everyEndpoint(), now)): SQL {
	return and(
		among,
		lte(deliveriesV2.nextAttemptAt, now - settings.strandedAfterMs),
		or(isNull(deliveriesV2.leaseUntil), lte(deliveriesV2.leaseUntil, now)),
		untouchedDeliveries(),
	) as SQL;
}

/**
 * Files the database's `new` deliveries made more than NEW_FOR_MS ago as
 * `pending` (into deliveries_v2_unfinished), so none is ever older than the
 * window they are looked for in. The sweep's, before it looks: over
 * NEW_WINDOW_MS, and in the first minute of each hour over a day, for those
 * that sweeps which did not run (or failed) for longer left behind.
 */
export function fileAgedNew(db: Database, now: number) {
	const within = now % HOUR_MS < MINUTE_MS ? DAY_MS : NEW_WINDOW_MS;
	return db
		.update(deliveriesV2)
		.set({ status: "pending" })
		.where(
			and(
				statusesIn(["new"]),
				toEndpointsWhere(everyEndpoint()),
				gte(deliveriesV2.id, idFloor("dlv", now - within)),
				lt(deliveriesV2.id, idFloor("dlv", now - NEW_FOR_MS)),
				// An account a move holds here is left alone (its marker refuses the write); its new home files it.
				untouchedDeliveries(),
			),
		);
}

/** A delivery addressed by its account, endpoint and id: how every message, alarm and statement names one. */
export type DeliveryRef = KeyedDelivery;

/** Just the address of a delivery (a message or a claimed target carries more). */
export const refOf = (entry: DeliveryRef): DeliveryRef => ({
	accountId: entry.accountId,
	endpointId: entry.endpointId,
	deliveryId: entry.deliveryId,
});

/** A delivery's address as one string, for sets and maps. */
export const keyOf = (entry: DeliveryRef): string => `${entry.accountId}/${entry.deliveryId}`;

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
		lt(deliveriesV2.attemptCount, maxAttempts(settings)),
		or(eq(deliveriesV2.attemptCount, 0), lte(deliveriesV2.nextAttemptAt, now)),
		noLiveClaim(now),
	) as SQL;
}

/** No attempt holds the delivery at `now`: never claimed, released, or claimed by an attempt whose lease has passed. */
export function noLiveClaim(now: number): SQL {
	return or(isNull(deliveriesV2.claimId), lte(deliveriesV2.leaseUntil, now)) as SQL;
}

/** An aggregate: the due time of the longest-waiting delivery among the rows (due, and not in flight); null when none waits. */
export function oldestWaitingSince(now: number): SQL<number | null> {
	return sql<
		number | null
	>`min(CASE WHEN ${noLiveClaim(now)} AND ${deliveriesV2.nextAttemptAt} <= ${now} THEN ${deliveriesV2.nextAttemptAt} END)`;
}

/**
 * How long an attempt's claim lasts: the wait for a connection (claims run
 * ahead of the sends by about CLAIM_FRESH_MS, or one send when sends are
 * slower; a slow endpoint's claimed deliveries are handed back), its own
 * timeout, the record that follows, and slack for D1.
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
		.update(deliveriesV2)
		.set({ claimId: null, leaseUntil: now + holdMs })
		.where(
			and(
				theseDeliveries(refs),
				unfinished(),
				noLiveClaim(now),
				or(isNull(deliveriesV2.leaseUntil), lt(deliveriesV2.leaseUntil, now + holdMs / 2)),
				// Held by a move: its rows are copied or frozen here; the message itself waits (dispatch.ts).
				untouchedDeliveries(),
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
	const conditions = [unfinishedOf(scope.accountId, now, endpointIds)];
	if (keepId) conditions.push(ne(deliveriesV2.id, keepId));
	if (onlyIf) conditions.push(onlyIf);
	return scope.db
		.update(deliveriesV2)
		.set(finished("cancelled", now))
		.where(and(...conditions));
}
