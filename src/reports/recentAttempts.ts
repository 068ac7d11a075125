/**
 * An endpoint's recent attempts, as GitHub's "Recent deliveries" shows them:
 * the attempts of its newest deliveries (through deliveries_endpoint, then
 * each delivery's attempts by primary key), newest first, each with the start
 * of what the receiver answered.
 */
import { desc, eq, sql } from "drizzle-orm";
import { type AccountScope, accountCheck } from "../db/client";
import { attempts, deliveries } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import { iso } from "../lib/time";

export const RECENT_ATTEMPTS = 20;

/** How much of each answer the list shows. */
const RESPONSE_START = 120;

export async function recentAttempts(scope: AccountScope, endpointId: string) {
	const newestDeliveries = scope.db
		.select({ accountId: deliveries.accountId, id: deliveries.id })
		.from(deliveries)
		.where(sql`${eq(deliveries.endpointId, endpointId)} AND ${accountCheck(deliveries.accountId, scope.accountId)}`)
		.orderBy(desc(deliveries.id))
		.limit(RECENT_ATTEMPTS)
		.as("newest_deliveries");
	const rows = await scope.db
		.select({
			deliveryId: attempts.deliveryId,
			manual: attempts.manual,
			startedAt: attempts.startedAt,
			durationMs: attempts.durationMs,
			statusCode: attempts.statusCode,
			error: attempts.error,
			succeeded: attempts.succeeded,
			responseStart: sql<string | null>`substr(${attempts.responseBody}, 1, ${RESPONSE_START})`,
		})
		.from(newestDeliveries)
		.innerJoin(attempts, sql`${attempts.accountId} = ${newestDeliveries.accountId} AND ${attempts.deliveryId} = ${newestDeliveries.id}`)
		.orderBy(desc(attempts.startedAt))
		.limit(RECENT_ATTEMPTS);
	return rows.map((row) => ({
		delivery_id: row.deliveryId,
		manual: row.manual,
		started_at: iso(row.startedAt),
		duration_ms: row.durationMs,
		status_code: row.statusCode,
		error: row.error,
		error_kind: row.succeeded ? null : errorKind(row.statusCode, row.error),
		succeeded: row.succeeded,
		response_start: row.responseStart,
	}));
}

export type RecentAttempt = Awaited<ReturnType<typeof recentAttempts>>[number];
