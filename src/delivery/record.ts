/**
 * Recording attempts, the last of three steps (claim.ts, then send.ts:
 * checkAndSend, then this): the attempt rows, the new delivery states
 * (fenced by the claim id), 410 handling and the endpoint's health, in few
 * statements, with the operational facts they make (operationalFacts.ts).
 * Shared with the manual attempt (manualAttempt.ts). An automatic attempt
 * that answered 2xx with nothing to note is kept on its delivery's row,
 * written with the delivered state, not as an attempts row: the common case
 * writes one row fewer (db/columns.ts, deliveryProgress: ok_…).
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { accountIdText, deliveryIdText, rowNamed, theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { attempts, endpoints } from "../db/schema";
import type { DeliveryTarget } from "./claim";
import { type HealthLedger, recordHealth } from "./health";
import { GONE_REASON, recordDeliveriesFailed, recordGone } from "./operationalFacts";
import type { SendResult } from "./send";
import { cancelUnfinishedDeliveries, type DeliveryRef, finished, maxAttempts, refOf } from "./stateChanges";

/** How much of a successful answer is kept on the delivery's row (a failed attempt keeps RESPONSE_SNIPPET_BYTES). */
export const SUCCESS_EXCERPT_CHARS = 120;

/** A clean success: kept on the delivery's row. */
const keptOnRow = ({ result }: Completed) => result.ok && result.error === null;

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
	const ref = refOf(target);
	if (result.ok) return { ref, state: "delivered" };
	if (result.statusCode === 410 || target.attemptCount >= maxAttempts(settings)) return { ref, state: "failed" };
	const interval = result.startedAt + settings.retryIntervalMs;
	const askedFor = result.retryAfterMs === null ? 0 : result.startedAt + Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS);
	return { ref, state: "retrying", nextAttemptAt: Math.max(interval, askedFor) };
}

/**
 * The next seq of the delivery `accountId`, `deliveryId` name (text, SQL): after its attempt rows and `okSeq`, the
 * seq of the success kept on its row.
 */
export function nextSeq(accountId: SQL, deliveryId: SQL, okSeq: SQL): SQL<number> {
	return sql<number>`(max(
		coalesce((SELECT max(a.seq) FROM ${attempts} a WHERE a.account_id = ${accountId} AND a.delivery_id = ${deliveryId}), 0),
		coalesce(${okSeq}, 0)) + 1)`;
}

/**
 * The delivered state's columns for a wave's successes: those in `kept` get
 * their attempt onto the row (looked up by id in one JSON parameter); the
 * others' stay null.
 */
function successOnRow(kept: readonly Completed[]) {
	const byId = JSON.stringify(
		Object.fromEntries(
			kept.map(({ target, result }) => [
				target.deliveryId,
				[result.startedAt, result.durationMs, result.statusCode, result.responseBody?.slice(0, SUCCESS_EXCERPT_CHARS) ?? null],
			]),
		),
	);
	const field = (i: number) => sql`(${byId} ->> ('$.' || ${deliveryIdText()} || ${`[${i}]`}))`;
	return {
		okSeq: sql<
			number | null
		>`CASE WHEN ${field(0)} IS NOT NULL THEN ${nextSeq(accountIdText(), deliveryIdText(), sql`${deliveriesV2.okSeq}`)} END`,
		okStartedAt: field(0),
		okDurationMs: field(1),
		okStatusCode: field(2),
		okResponse: field(3),
	};
}

/**
 * Attempt rows for completed sends, in one statement whatever their number:
 * each gets the next seq of its delivery. A clean automatic success gets one
 * only if its delivery's row did not take it (run after the state updates): its
 * claim was taken meanwhile, and the attempt must still show in the log.
 */
export function insertAttempts(db: Database, completed: readonly Completed[], manual: boolean) {
	const rows = completed.map(({ target, result }) => ({
		kept: !manual && keptOnRow({ target, result }) ? 1 : 0,
		accountId: target.accountId,
		endpointId: target.endpointId,
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
	const path = (name: keyof (typeof rows)[number]) => `value ->> '$.${name}'`;
	const field = (name: keyof (typeof rows)[number]) => sql.raw(path(name));
	// The attempt's delivery, as `d`.
	const itsDelivery = sql`${deliveriesV2} d WHERE ${rowNamed("d", path("accountId"), path("endpointId"), path("deliveryId"))}`;
	return db.insert(attempts).select(
		sql`SELECT ${field("accountId")}, ${field("deliveryId")}, ${nextSeq(field("accountId"), field("deliveryId"), sql`(SELECT d.ok_seq FROM ${itsDelivery})`)},
			${field("attemptNumber")}, ${field("manual")}, ${field("startedAt")}, ${field("durationMs")}, ${field("statusCode")},
			${field("error")}, ${field("responseBody")}, ${field("succeeded")}
		FROM json_each(${JSON.stringify(rows)})
		WHERE ${field("kept")} = 0 OR NOT EXISTS (SELECT 1 FROM ${itsDelivery} AND d.ok_started_at = ${field("startedAt")})`,
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
	const mine = (refs: DeliveryRef[]) => and(theseDeliveries(refs), eq(deliveriesV2.claimId, claimId));
	const refsWith = (state: AttemptResult["state"]) => results.filter((result) => result.state === state).map((result) => result.ref);
	const kept = completed.filter(keptOnRow);
	const updates = (["delivered", "failed"] as const)
		.filter((state) => refsWith(state).length)
		.map((state) =>
			db
				.update(deliveriesV2)
				.set({ ...finished(state, now), ...(state === "delivered" && kept.length ? successOnRow(kept) : {}) })
				.where(mine(refsWith(state))),
		);
	// Failed with their attempts used up (not stopped by a 410), by this record: the update above made them so, at `now`.
	const exhausted = results.filter((result, i) => result.state === "failed" && completed[i].result.statusCode !== 410);
	const failedHere = (refs: DeliveryRef[]) =>
		and(theseDeliveries(refs), eq(deliveriesV2.status, "failed"), eq(deliveriesV2.updatedAt, now)) as SQL;
	const told = exhausted.length ? [recordDeliveriesFailed(db, failedHere(exhausted.map((result) => result.ref)), now)] : [];
	const retrying = results.filter((result) => result.state === "retrying");
	if (retrying.length) {
		const at = sql<number>`CASE ${deliveriesV2.id} ${sql.join(
			retrying.map((result) => sql`WHEN ${sql.param(result.ref.deliveryId, deliveriesV2.id)} THEN ${result.nextAttemptAt}`),
			sql` `,
		)} END`;
		updates.push(
			db
				.update(deliveriesV2)
				.set({ status: "retrying", nextAttemptAt: at, claimId: null, leaseUntil: null, updatedAt: now })
				.where(mine(refsWith("retrying"))),
		);
	}
	const gone = completed.flatMap(({ target, result }) => (result.statusCode === 410 ? disableGoneEndpoint(db, target, now) : []));
	const health = recordHealth(db, settings, completed, ledger, now);
	// After the updates: a success their rows did not take is an attempts row (insertAttempts); after the attempts,
	// the operator is told of each delivery that used them up (its last error is the attempt just written).
	return { statements: [...updates, insertAttempts(db, completed, false), ...told, ...gone, ...health], results };
}
