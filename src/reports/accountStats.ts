/**
 * An account's overview numbers: events and delivery success over the last
 * 24 h (with an hourly series for the chart), what is retrying and which
 * endpoints are failing now, and each endpoint's health (their shapes in
 * reportResponses.ts).
 * Every figure walks a primary-key range of the last 24 h (ids sort by time)
 * or the unfinished-deliveries index (retrying counts, and since when the
 * oldest due delivery waits); none scans history. The last attempt
 * is on the endpoint's own row, which the caller has read already.
 *
 * Two rates, never to be confused: "delivery success" is the share of the
 * deliveries created in the window that ended delivered (of those that
 * ended), and an endpoint's "attempts ok" is the share of its attempts in the
 * window that got a 2xx.
 */
import { and, count, eq, gte, sql, sum } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { deliveryIdText, endpointIdOf, madeBetween, statusesIn } from "../db/keyedDeliveries";
import { deliveriesV2 as deliveries } from "../db/keyedSchema";
import { attempts, endpoints, events } from "../db/schema";
import { oldestWaitingSince, unfinishedOf } from "../delivery/stateChanges";
import { failingNow } from "../endpoints/endpointHealth";
import { idFloor } from "../lib/ids";
import { DAY_MS, HOUR_MS, iso } from "../lib/time";
import type { EndpointHealth, StatsView } from "./reportResponses";

export const STATS_WINDOW_MS = DAY_MS;

/** What an endpoint's row says about its newest attempt. */
type LastAttempt = Pick<
	typeof endpoints.$inferSelect,
	"id" | "lastAttemptAt" | "lastStatusCode" | "lastAttemptSucceeded" | "lastAttemptError"
>;

/** The account's numbers, and `health` to make each endpoint's health of its row (the stats' `endpoints`). */
export type Stats = Omit<StatsView, "endpoints"> & { health: (endpoint: LastAttempt) => EndpointHealth };

export async function readStats(scope: AccountScope, now = Date.now()): Promise<Stats> {
	const { db, accountId } = scope;
	const since = now - STATS_WINDOW_MS;
	const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
	const inWindow = madeBetween(accountId, since);
	const endpointId = endpointIdOf();
	// CAST: D1 may bind JS numbers as REAL, which would make the division fractional.
	const hour = sql<number>`CAST((${events.receivedAt} - ${firstHour}) / ${HOUR_MS} AS INTEGER)`;
	const helpdeskEvents = (from: number) =>
		and(eq(events.accountId, accountId), gte(events.id, idFloor("evt", from)), eq(events.isTest, false));
	const [received, hourly, finished, recentAttempts, keptSuccesses, waiting, failing] = await db.batch([
		db.select({ total: count() }).from(events).where(helpdeskEvents(since)),
		db
			.select({ hour: hour.as("hour"), total: count() })
			.from(events)
			.where(helpdeskEvents(firstHour))
			.groupBy(sql`hour`),
		db
			.select({ endpointId, status: deliveries.status, total: count() })
			.from(deliveries)
			.where(and(inWindow, statusesIn(["delivered", "failed"])))
			.groupBy(deliveries.endpointKey, deliveries.status),
		db
			.select({ endpointId, total: count(), succeeded: sum(attempts.succeeded) })
			.from(deliveries)
			.innerJoin(attempts, and(eq(attempts.accountId, accountId), eq(attempts.deliveryId, deliveryIdText())))
			.where(and(inWindow, gte(attempts.startedAt, since)))
			.groupBy(deliveries.endpointKey),
		// The successes kept on their delivery's row (schema.ts) are attempts too.
		db
			.select({ endpointId, total: count() })
			.from(deliveries)
			.where(and(inWindow, gte(deliveries.okStartedAt, since)))
			.groupBy(deliveries.endpointKey),
		db
			.select({
				endpointId,
				retrying: sql<number>`sum(CASE WHEN ${statusesIn(["retrying"])} THEN 1 ELSE 0 END)`,
				oldestWaiting: oldestWaitingSince(now),
			})
			.from(deliveries)
			// Through the unfinished deliveries' index, endpoint by endpoint: never the account's whole history.
			.where(unfinishedOf(accountId, now))
			.groupBy(deliveries.endpointKey),
		db
			.select({ total: count() })
			.from(endpoints)
			.where(and(eq(endpoints.accountId, accountId), failingNow())),
	]);
	const finishedWith = (status: string, endpointId?: string) =>
		finished
			.filter((row) => row.status === status && (endpointId === undefined || row.endpointId === endpointId))
			.reduce((total, row) => total + row.total, 0);
	const delivered = finishedWith("delivered");
	const failed = finishedWith("failed");
	const health = (endpoint: LastAttempt): EndpointHealth => {
		const endpointId = endpoint.id;
		const rows = recentAttempts.find((row) => row.endpointId === endpointId);
		const kept = keptSuccesses.find((row) => row.endpointId === endpointId)?.total ?? 0;
		const total = (rows?.total ?? 0) + kept;
		return {
			endpoint_id: endpointId,
			last_attempt_at: iso(endpoint.lastAttemptAt),
			last_status_code: endpoint.lastStatusCode,
			last_succeeded: endpoint.lastAttemptSucceeded,
			last_error: endpoint.lastAttemptError,
			attempts_ok_rate_24h: total ? (Number(rows?.succeeded ?? 0) + kept) / total : null,
			attempts_24h: total,
			retrying: Number(waiting.find((row) => row.endpointId === endpointId)?.retrying ?? 0),
			failed_24h: finishedWith("failed", endpointId),
		};
	};
	const eventsPerHour = Array.from({ length: 24 }, (_, i) => ({
		hour: iso(firstHour + i * HOUR_MS),
		events: hourly.find((row) => Number(row.hour) === i)?.total ?? 0,
	}));
	return {
		since: iso(since),
		/** Helpdesk events received (test events not counted). */
		events_received_24h: received[0]?.total ?? 0,
		deliveries_delivered_24h: delivered,
		deliveries_failed_24h: failed,
		/** Delivered / (delivered + failed) among deliveries created in the last 24 h; null when none ended. */
		delivery_success_rate_24h: delivered + failed ? delivered / (delivered + failed) : null,
		/** Deliveries waiting for a retry now, whenever they were created. */
		retrying_now: waiting.reduce((total, row) => total + Number(row.retrying), 0),
		failing_endpoints: failing[0]?.total ?? 0,
		/** Events received per hour, oldest first; the last entry is the current hour. */
		events_per_hour: eventsPerHour,
		/** Since when the account's longest-waiting due delivery waits (not in flight); null when none waits. */
		oldest_waiting_at: iso(oldestOf(waiting.map((row) => row.oldestWaiting))),
		health,
	};
}

function oldestOf(times: readonly (number | null)[]): number | null {
	const known = times.filter((time): time is number => time !== null);
	return known.length ? Math.min(...known) : null;
}
