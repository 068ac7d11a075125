/**
 * One status per endpoint, from its row: `disabled` (with its cause), else
 * `failing` when its newest automatic attempt failed (a failing streak is on
 * its row, delivery/health.ts), else `working`. The same rule counts failing
 * endpoints in SQL, for the stats and the accounts' health.
 */
import { and, asc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { endpoints } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import { iso } from "../lib/time";
import type { EndpointStatusView } from "./endpointResponses";

type HealthColumns = Pick<
	typeof endpoints.$inferSelect,
	"enabled" | "consecutiveFailures" | "failingSince" | "lastAttemptSucceeded" | "lastStatusCode" | "lastAttemptError"
>;

export function endpointHealth(row: HealthColumns): EndpointStatusView {
	const failed = row.lastAttemptSucceeded === false;
	return {
		status: !row.enabled ? "disabled" : row.consecutiveFailures > 0 ? "failing" : "working",
		failing_since: row.consecutiveFailures > 0 ? iso(row.failingSince) : null,
		consecutive_failures: row.consecutiveFailures,
		last_error: failed ? row.lastAttemptError : null,
		last_error_kind: failed ? errorKind(row.lastStatusCode, row.lastAttemptError) : null,
	};
}

/** A live, enabled endpoint whose newest automatic attempt failed: `health.status` is `failing`. */
export function failingNow(): SQL {
	return and(isNull(endpoints.deletedAt), eq(endpoints.enabled, true), gt(endpoints.consecutiveFailures, 0)) as SQL;
}

/** Shown in the banner of an account's pages: the endpoints failing now, or disabled while failing. */
export interface FailingEndpoint {
	id: string;
	url: string;
	failingSince: number | null;
	lastError: string | null;
}

/** At most this many endpoints are named in the banner. */
const BANNER_LIMIT = 5;

/**
 * The account's live endpoints with a failing streak, enabled or disabled by Hivepost, the longest failing first. One
 * an admin disabled by hand is left out: they chose to stop it, and its status says `disabled`.
 */
export function failingEndpoints(scope: AccountScope): Promise<FailingEndpoint[]> {
	return scope.db
		.select({ id: endpoints.id, url: endpoints.url, failingSince: endpoints.failingSince, lastError: endpoints.lastAttemptError })
		.from(endpoints)
		.where(
			and(
				eq(endpoints.accountId, scope.accountId),
				isNull(endpoints.deletedAt),
				gt(endpoints.consecutiveFailures, 0),
				sql`${endpoints.disabledCause} IS NOT 'manual'`,
			),
		)
		.orderBy(asc(endpoints.failingSince))
		.limit(BANNER_LIMIT);
}
