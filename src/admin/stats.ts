/**
 * The overview numbers: events and delivery success over the last 24 h (with
 * an hourly series for the chart), and each endpoint's health.
 */
import { and, count, eq, gte, inArray, isNotNull, isNull, sql, sum } from "drizzle-orm";
import type { Database } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import { idFloor } from "../ids";

export const STATS_WINDOW_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface EndpointHealth {
	endpoint_id: string;
	last_attempt_at: string | null;
	last_status_code: number | null;
	last_succeeded: boolean | null;
	last_error: string | null;
	/** Successful attempts / all attempts in the last 24 h; null without attempts. */
	success_rate_24h: number | null;
	attempts_24h: number;
	retrying: number;
	failed: number;
}

export async function readStats(db: Database, now = Date.now()) {
	const since = now - STATS_WINDOW_MS;
	const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
	// CAST: D1 may bind JS numbers as REAL, which would make the division fractional.
	const hour = sql<number>`CAST((${events.receivedAt} - ${firstHour}) / ${HOUR_MS} AS INTEGER)`;
	const [received, finished, hourly, recentAttempts, lastAttempts, open] = await db.batch([
		db
			.select({ total: count() })
			.from(events)
			.where(and(gte(events.receivedAt, since), eq(events.isTest, false))),
		db
			.select({ status: deliveries.status, total: count() })
			.from(deliveries)
			// Delivery ids sort by creation time: an id range walks the primary key instead of scanning.
			.where(and(gte(deliveries.id, idFloor("dlv", since)), inArray(deliveries.status, ["delivered", "failed"])))
			.groupBy(deliveries.status),
		db
			.select({ hour: hour.as("hour"), total: count() })
			.from(events)
			.where(and(gte(events.receivedAt, firstHour), eq(events.isTest, false)))
			.groupBy(sql`hour`),
		db
			.select({ endpointId: deliveries.endpointId, total: count(), succeeded: sum(attempts.succeeded) })
			.from(attempts)
			.innerJoin(deliveries, eq(deliveries.id, attempts.deliveryId))
			.where(gte(attempts.startedAt, since))
			.groupBy(deliveries.endpointId),
		db
			.select({
				endpointId: endpoints.id,
				startedAt: endpoints.lastAttemptAt,
				statusCode: endpoints.lastStatusCode,
				succeeded: endpoints.lastAttemptSucceeded,
				error: endpoints.lastAttemptError,
			})
			.from(endpoints)
			.where(and(isNull(endpoints.deletedAt), isNotNull(endpoints.lastAttemptAt))),
		db
			.select({ endpointId: deliveries.endpointId, status: deliveries.status, total: count() })
			.from(deliveries)
			.where(inArray(deliveries.status, ["retrying", "failed"]))
			.groupBy(deliveries.endpointId, deliveries.status),
	]);
	const delivered = finished.find((row) => row.status === "delivered")?.total ?? 0;
	const failed = finished.find((row) => row.status === "failed")?.total ?? 0;
	const health = (endpointId: string): EndpointHealth => {
		const recent = recentAttempts.find((row) => row.endpointId === endpointId);
		const last = lastAttempts.find((row) => row.endpointId === endpointId);
		const openCount = (status: string) => open.find((row) => row.endpointId === endpointId && row.status === status)?.total ?? 0;
		return {
			endpoint_id: endpointId,
			last_attempt_at: last?.startedAt ? new Date(last.startedAt).toISOString() : null,
			last_status_code: last?.statusCode ?? null,
			last_succeeded: last?.succeeded ?? null,
			last_error: last?.error ?? null,
			success_rate_24h: recent ? Number(recent.succeeded ?? 0) / recent.total : null,
			attempts_24h: recent?.total ?? 0,
			retrying: openCount("retrying"),
			failed: openCount("failed"),
		};
	};
	return {
		since: new Date(since).toISOString(),
		events_received_24h: received[0]?.total ?? 0,
		deliveries_delivered_24h: delivered,
		deliveries_failed_24h: failed,
		/** Delivered / (delivered + failed) among deliveries created in the last 24 h; null when none finished. */
		delivery_success_rate_24h: delivered + failed ? delivered / (delivered + failed) : null,
		/** Events received per hour, oldest first; the last entry is the current hour. */
		events_per_hour: Array.from({ length: 24 }, (_, i) => ({
			hour: new Date(firstHour + i * HOUR_MS).toISOString(),
			events: hourly.find((row) => Number(row.hour) === i)?.total ?? 0,
		})),
		health,
	};
}

export type Stats = Awaited<ReturnType<typeof readStats>>;
