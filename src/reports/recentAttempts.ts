/**
 * An endpoint's recent attempts, as GitHub's "Recent deliveries" shows them:
 * the attempts of its newest deliveries (the endpoint's range of deliveries_v2
 * read newest first, then each delivery's attempts by primary key, and the
 * success kept on its row),
 * newest first, each with the start of what the receiver answered.
 */
import { desc, isNotNull, sql } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { deliveryIdText, toEndpoint } from "../db/keyedDeliveries";
import { deliveriesV2 as deliveries } from "../db/keyedSchema";
import { attempts } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import { iso } from "../lib/time";

export const RECENT_ATTEMPTS = 20;

/** How much of each answer the list shows. */
const RESPONSE_START = 120;

export async function recentAttempts(scope: AccountScope, endpointId: string) {
	const newestDeliveries = scope.db
		.select({
			id: deliveries.id,
			idText: deliveryIdText().as("id_text"),
			okStartedAt: deliveries.okStartedAt,
			okDurationMs: deliveries.okDurationMs,
			okStatusCode: deliveries.okStatusCode,
			okResponse: deliveries.okResponse,
		})
		.from(deliveries)
		.where(toEndpoint(scope.accountId, endpointId))
		.orderBy(desc(deliveries.id))
		.limit(RECENT_ATTEMPTS)
		.as("newest_deliveries");
	const fromRows = scope.db
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
		// CROSS JOIN: the newest deliveries first, then each one's attempts by primary key (SQLite would otherwise walk the
		// account's attempts, knowing nothing of the subquery's size).
		.from(newestDeliveries)
		.crossJoin(attempts)
		.where(sql`${attempts.accountId} = ${scope.accountId} AND ${attempts.deliveryId} = ${newestDeliveries.idText}`)
		.orderBy(desc(attempts.startedAt))
		.limit(RECENT_ATTEMPTS);
	const keptOnRows = scope.db
		.select({
			deliveryId: newestDeliveries.id,
			// Named: D1 hands rows over as objects, where a column named "0" would sort first.
			manual: sql<boolean>`0`.mapWith(Boolean).as("manual"),
			startedAt: sql<number>`${newestDeliveries.okStartedAt}`,
			durationMs: sql<number>`${newestDeliveries.okDurationMs}`,
			statusCode: newestDeliveries.okStatusCode,
			error: sql<string | null>`NULL`.as("error"),
			succeeded: sql<boolean>`1`.mapWith(Boolean).as("succeeded"),
			responseStart: sql<string | null>`substr(${newestDeliveries.okResponse}, 1, ${RESPONSE_START})`,
		})
		.from(newestDeliveries)
		.where(isNotNull(newestDeliveries.okStartedAt));
	const [attemptRows, keptRows] = await scope.db.batch([fromRows, keptOnRows]);
	const rows = [...attemptRows, ...keptRows].sort((a, b) => b.startedAt - a.startedAt).slice(0, RECENT_ATTEMPTS);
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
