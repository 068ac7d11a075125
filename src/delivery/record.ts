/**
 * Recording attempts, the last of three steps (claim.ts, then send.ts:
 * checkAndSend, then this): the attempt rows, the new delivery states
 * (fenced by the claim id), 410 handling and the endpoint's health, in few
 * statements, with the operational facts they make (operationalFacts.ts).
 * Shared with the manual attempt (manualAttempt.ts).
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { attempts, deliveries, endpoints } from "../db/schema";
import type { DeliveryTarget } from "./claim";
import { type HealthLedger, recordHealth } from "./health";
import { GONE_REASON, recordDeliveriesFailed, recordGone } from "./operationalFacts";
import type { SendResult } from "./send";
import { cancelUnfinishedDeliveries, type DeliveryRef, deliveriesIn, finished, maxAttempts } from "./stateChanges";

/** The longest a Retry-After header may postpone the next attempt. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** A delivery with what its send came to: one value from the send to the record. */
export interface Completed {
	target: DeliveryTarget;
	result: SendResult;
}

/** What an automatic attempt made of a delivery. */
export type AttemptResult =
	| { ref: DeliveryRef; state: "delivered" | "failed" }
	| { ref: DeliveryRef; state: "retrying"; nextAttemptAt: number };

function nextState(settings: Settings, { target, result }: Completed): AttemptResult {
	const ref = { accountId: target.accountId, deliveryId: target.deliveryId };
	if (result.ok) return { ref, state: "delivered" };
	if (result.statusCode === 410 || target.attemptCount >= maxAttempts(settings)) return { ref, state: "failed" };
	const interval = result.startedAt + settings.retryIntervalMs;
	const askedFor = result.retryAfterMs === null ? 0 : result.startedAt + Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS);
	return { ref, state: "retrying", nextAttemptAt: Math.max(interval, askedFor) };
}

/**
 * Attempt rows for completed sends, in one statement whatever their number:
 * each gets the next seq of its delivery.
 */
export function insertAttempts(db: Database, completed: readonly Completed[], manual: boolean) {
	const rows = completed.map(({ target, result }) => ({
		accountId: target.accountId,
		deliveryId: target.deliveryId,
		attemptNumber: manual ? null : target.attemptCount,
		manual: manual ? 1 : 0,
		startedAt: result.startedAt,
		durationMs: result.durationMs,
		statusCode: result.statusCode,
		error: result.error,
		responseBody: result.responseBody,
		succeeded: result.ok ? 1 : 0,
	}));
	const field = (name: keyof (typeof rows)[number]) => sql.raw(`value ->> '$.${name}'`);
	return db.insert(attempts).select(
		sql`SELECT ${field("accountId")}, ${field("deliveryId")},
			(SELECT coalesce(max(a.seq), 0) + 1 FROM ${attempts} a WHERE a.account_id = ${field("accountId")} AND a.delivery_id = ${field("deliveryId")}),
			${field("attemptNumber")}, ${field("manual")}, ${field("startedAt")}, ${field("durationMs")}, ${field("statusCode")},
			${field("error")}, ${field("responseBody")}, ${field("succeeded")}
		FROM json_each(${JSON.stringify(rows)})`,
	);
}

/** A destination that answers 410 Gone has asked us to stop: disable the endpoint (telling the operator) and cancel its other deliveries. */
export function disableGoneEndpoint(db: Database, target: DeliveryTarget, now: number) {
	return [
		recordGone(db, target.endpointId, now),
		db
			.update(endpoints)
			// The time is in disabled_at, for the pages to show in their one format.
			.set({ enabled: false, disabledReason: GONE_REASON, disabledCause: "gone", disabledAt: now, updatedAt: now })
			.where(eq(endpoints.id, target.endpointId)),
		cancelUnfinishedDeliveries({ accountId: target.accountId, db }, [target.endpointId], now, { keepId: target.deliveryId }),
	];
}

/**
 * The statements that record automatic attempts claimed by `claimId`, and what
 * each delivery became. A few statements whatever the number: one insert, one
 * update per outcome (a CASE gives each retry its own time), plus 410 handling
 * and health.
 */
export function recordAttempts(
	db: Database,
	settings: Settings,
	claimId: string,
	completed: readonly Completed[],
	now: number,
	ledger: HealthLedger,
) {
	const results = completed.map((entry) => nextState(settings, entry));
	if (completed.length === 0) return { statements: [], results };
	const mine = (refs: DeliveryRef[]) => and(deliveriesIn(refs), eq(deliveries.claimId, claimId));
	const refsWith = (state: AttemptResult["state"]) => results.filter((result) => result.state === state).map((result) => result.ref);
	const updates = (["delivered", "failed"] as const)
		.filter((state) => refsWith(state).length)
		.map((state) =>
			db
				.update(deliveries)
				.set(finished(state, now))
				.where(mine(refsWith(state))),
		);
	// Failed with their attempts used up (not stopped by a 410): the operator is told, before the update clears the claim.
	const exhausted = results.filter((result, i) => result.state === "failed" && completed[i].result.statusCode !== 410);
	const told = exhausted.length ? [recordDeliveriesFailed(db, mine(exhausted.map((result) => result.ref)) as SQL, now)] : [];
	const retrying = results.filter((result) => result.state === "retrying");
	if (retrying.length) {
		const at = sql<number>`CASE ${deliveries.id} ${sql.join(
			retrying.map((result) => sql`WHEN ${result.ref.deliveryId} THEN ${result.nextAttemptAt}`),
			sql` `,
		)} END`;
		updates.push(
			db
				.update(deliveries)
				.set({ status: "retrying", nextAttemptAt: at, claimId: null, leaseUntil: null, updatedAt: now })
				.where(mine(refsWith("retrying"))),
		);
	}
	const gone = completed.flatMap(({ target, result }) => (result.statusCode === 410 ? disableGoneEndpoint(db, target, now) : []));
	const health = recordHealth(db, settings, completed, ledger, now);
	return { statements: [insertAttempts(db, completed, false), ...told, ...updates, ...gone, ...health], results };
}
