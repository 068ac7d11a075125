/**
 * The fair rate in SQL (the rule is in fairShare.ts): whether an account is
 * over FAIR_RATE right now, from its events of the last FAIR_RATE_WINDOW_MS
 * times an event's fan-out. Asked twice, each time in a statement that runs
 * anyway:
 * - by ingest, for the event it stores: an account over it sends its first
 *   attempts to the bulk lane (ingest/createDeliveries.ts);
 * - by the main lane's claim, for each first attempt: a burst's first
 *   deliveries, queued on the main lane before its count passed the budget,
 *   leave for the bulk lane unsent (claim.ts), instead of holding up the
 *   accounts within their rate.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { accountIdText, eventIdOf } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { events } from "../db/schema";
import { idFloor } from "../lib/ids";
import { FAIR_RATE_WINDOW_MS, fairBudget } from "./fairShare";

/**
 * Whether `accountId` is over its fair rate, for an event of `fanOut` deliveries. Its events are counted through
 * the primary key and no further than the budget; `accountId` may be the column of the row being read.
 */
export function overFairRate(accountId: string | SQLWrapper, fanOut: SQL<number>, now: number, settings: Settings): SQL<boolean> {
	const budget = fairBudget(settings);
	const recentEvents = sql`(SELECT count(*) FROM (SELECT 1 FROM ${events} WHERE ${events.accountId} = ${accountId} AND ${events.id} >= ${idFloor("evt", now - FAIR_RATE_WINDOW_MS)} LIMIT ${sql.raw(String(budget + 1))}))`;
	return sql<boolean>`${recentEvents} * ${fanOut} > ${budget}`;
}

/** The delivery being read is a first attempt, and its account is over its fair rate for its event's fan-out. */
export function firstAttemptOverFairRate(now: number, settings: Settings): SQL<boolean> {
	const accountId = accountIdText();
	const fanOut = sql<number>`(SELECT ${events.deliveryCount} FROM ${events} WHERE ${events.accountId} = ${accountId} AND ${events.id} = ${eventIdOf()})`;
	return sql<boolean>`(${deliveriesV2.attemptCount} = 0 AND ${overFairRate(accountId, fanOut, now, settings)})`;
}
