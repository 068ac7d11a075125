/**
 * The facts the operator is told of (operational messages, alerts/), recorded
 * in the same transaction as what they tell of: each statement here goes into
 * the batch that records attempts (record.ts, health.ts) or the sweep's, and
 * adds a row to the account database's `operational_outbox` only when its
 * fact holds, so a batch that writes nothing else writes nothing here either.
 * alerts/ moves the rows to the operator's account in DB once they are
 * committed (at least once: each row's key is the message's idempotency key).
 *
 * - `endpoint.failing`: the streak reached ALERT_AFTER_FAILURES and has not
 *   alerted yet (`alerted_since` is not this streak's `failing_since`), once;
 * - `endpoint.recovered`: the first success after a streak that alerted;
 * - `endpoint.disabled`: Hivepost disabled it by itself (410 Gone; or a streak
 *   older than DISABLE_AFTER_SECONDS, at a failed attempt or by the sweep);
 * - `delivery.failed`: a delivery used up its automatic attempts.
 *
 * Nothing is recorded about the operator's own endpoints: their messages
 * would have nowhere to go.
 */
import { and, eq, gt, gte, isNotNull, lte, ne, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { accountIdText, deliveryIdText, eventIdOf } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { OPERATOR_ACCOUNT } from "../db/operatorAccount";
import { endpoints, events, operationalOutbox } from "../db/schema";
import type { OperationalEventType } from "../operationalEventTypes";
import { endpointsIn, finished, unfinishedTo } from "./stateChanges";

/** The statements that add facts to the outbox, to tell from a batch's results whether any was added. */
const factStatements = new WeakSet<object>();

function asFact<Statement extends object>(statement: Statement): Statement {
	factStatements.add(statement);
	return statement;
}

/** True when a fact statement among `statements` added a row, by the batch's `results` (in the same order). */
export function factsRecorded(statements: readonly object[], results: readonly unknown[]): boolean {
	return statements.some((statement, i) => factStatements.has(statement) && Array.isArray(results[i]) && results[i].length > 0);
}

/** What an outbox row's `data` holds of an endpoint: its id and URL (the account's uid is added when it is stored). */
const endpointData = sql`'endpoint_id', ${endpoints.id}, 'url', ${endpoints.url}`;

/** The outbox row of a fact about the endpoint (and `subject`, e.g. a delivery) of the row selected. */
function factRow(type: OperationalEventType, subject: SQL, now: number, data: SQL) {
	return {
		key: sql<string>`${type} || ':' || ${subject} || ':' || ${now}`.as("key"),
		accountId: sql<string>`${endpoints.accountId}`.as("account_id"),
		type: sql<string>`${type}`.as("type"),
		at: sql<number>`${now}`.as("at"),
		data: sql<string>`json_object(${endpointData}, ${data})`.as("data"),
	};
}

/** Not the operator's own endpoints. */
const helpdeskEndpoint = () => ne(endpoints.accountId, OPERATOR_ACCOUNT.id);

/** Adds the facts `where` selects (over endpoints) to the outbox; returns their keys. */
function recordEndpointFact(db: Database, type: OperationalEventType, now: number, data: SQL, where: SQL) {
	return asFact(
		db
			.insert(operationalOutbox)
			.select(
				db
					.select(factRow(type, sql`${endpoints.id}`, now, data))
					.from(endpoints)
					.where(and(helpdeskEndpoint(), where)),
			)
			.onConflictDoNothing()
			.returning({ key: operationalOutbox.key }),
	);
}

/** The streak is long enough to alert, and has not alerted yet. */
const failingUnalerted = (settings: Settings) =>
	and(gte(endpoints.consecutiveFailures, settings.alertAfterFailures), sql`${endpoints.alertedSince} IS NOT ${endpoints.failingSince}`);

/**
 * After the statement that adds failures to the endpoint's streak: its
 * `endpoint.failing`, once per streak (the endpoint then remembers it alerted).
 */
export function recordFailing(db: Database, settings: Settings, endpointId: string, now: number) {
	const due = and(eq(endpoints.id, endpointId), failingUnalerted(settings)) as SQL;
	return [
		recordEndpointFact(
			db,
			"endpoint.failing",
			now,
			sql`'failing_since', ${endpoints.failingSince}, 'consecutive_failures', ${endpoints.consecutiveFailures}, 'last_error', ${endpoints.lastAttemptError}, 'last_status_code', ${endpoints.lastStatusCode}`,
			due,
		),
		db
			.update(endpoints)
			.set({ alertedSince: sql`${endpoints.failingSince}` })
			.where(due),
	] as const;
}

/**
 * Before the statement that records a success started at `startedAt` (which
 * clears `alerted_since`): `endpoint.recovered` when the streak had alerted
 * and no newer attempt is stored.
 */
export function recordRecovered(db: Database, endpointId: string, startedAt: number, now: number) {
	return recordEndpointFact(
		db,
		"endpoint.recovered",
		now,
		sql`'failing_since', ${endpoints.alertedSince}`,
		and(
			eq(endpoints.id, endpointId),
			isNotNull(endpoints.alertedSince),
			sql`(${endpoints.lastAttemptAt} IS NULL OR ${endpoints.lastAttemptAt} <= ${startedAt})`,
		) as SQL,
	);
}

export const GONE_REASON = "The destination answered 410 Gone.";

/** Before the statement that disables an endpoint whose destination answered 410: `endpoint.disabled` if it was enabled. */
export function recordGone(db: Database, endpointId: string, now: number) {
	return recordEndpointFact(
		db,
		"endpoint.disabled",
		now,
		sql`'disabled_cause', 'gone', 'disabled_reason', ${GONE_REASON}`,
		and(eq(endpoints.id, endpointId), eq(endpoints.enabled, true)) as SQL,
	);
}

/** "5 days", "2 hours", "90 seconds": how long DISABLE_AFTER_SECONDS is, in words. */
function inWords(ms: number): string {
	const seconds = Math.floor(ms / 1000);
	const [amount, unit] =
		seconds % 86_400 === 0 ? [seconds / 86_400, "day"] : seconds % 3600 === 0 ? [seconds / 3600, "hour"] : [seconds, "second"];
	return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}

/** Why Hivepost disabled a failing endpoint, in words. */
export function failingReason(settings: Settings): string {
	return `No automatic attempt succeeded for ${inWords(settings.disableAfterMs)} (DISABLE_AFTER_SECONDS), so Hivepost disabled it.`;
}

/** Enabled, live, and failing without a success for at least DISABLE_AFTER_SECONDS (never when it is 0). */
function dueForDisable(settings: Settings, now: number): SQL {
	if (settings.disableAfterMs === 0) return sql`0`;
	return and(
		eq(endpoints.enabled, true),
		sql`${endpoints.deletedAt} IS NULL`,
		gt(endpoints.consecutiveFailures, 0),
		lte(endpoints.failingSince, now - settings.disableAfterMs),
	) as SQL;
}

/**
 * Disables the endpoints `which` selects whose streak is older than
 * DISABLE_AFTER_SECONDS: `endpoint.disabled` (cause `failing`), their
 * unfinished deliveries cancelled (Resend everything since … sends them
 * again), then the endpoint. After a record's health statement (one
 * endpoint), or by the sweep (every endpoint of a database).
 */
export function disableFailing(db: Database, settings: Settings, now: number, which?: SQL) {
	const due = and(dueForDisable(settings, now), which) as SQL;
	const reason = failingReason(settings);
	return [
		recordEndpointFact(db, "endpoint.disabled", now, sql`'disabled_cause', 'failing', 'disabled_reason', ${reason}`, due),
		db
			.update(deliveriesV2)
			.set(finished("cancelled", now))
			.where(unfinishedTo(endpointsIn(sql`(SELECT ${endpoints.id} FROM ${endpoints} WHERE ${due})`), now)),
		db
			.update(endpoints)
			.set({ enabled: false, disabledCause: "failing", disabledReason: reason, disabledAt: now, updatedAt: now })
			.where(due),
	] as const;
}

/**
 * Before the statement that marks the deliveries `where` selects as failed
 * with their attempts used up: a `delivery.failed` for each, with its last
 * attempt's error.
 */
export function recordDeliveriesFailed(db: Database, where: SQL, now: number) {
	const deliveryId = deliveryIdText();
	const lastError = sql`(SELECT error FROM attempts WHERE attempts.account_id = ${accountIdText()} AND attempts.delivery_id = ${deliveryId} ORDER BY seq DESC LIMIT 1)`;
	return asFact(
		db
			.insert(operationalOutbox)
			.select(
				db
					.select(
						factRow(
							"delivery.failed",
							deliveryId,
							now,
							sql`'delivery_id', ${deliveryId}, 'event_id', ${eventIdOf()}, 'ticket_id', ${events.ticketId}, 'attempts', ${deliveriesV2.attemptCount}, 'last_error', ${lastError}`,
						),
					)
					.from(deliveriesV2)
					.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
					.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
					.innerJoin(events, and(eq(events.accountId, accountIdText()), eq(events.id, eventIdOf())))
					.where(and(helpdeskEndpoint(), where)),
			)
			.onConflictDoNothing()
			.returning({ key: operationalOutbox.key }),
	);
}
