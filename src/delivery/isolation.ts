/**
 * Destination isolation: no receiver may slow another.
 *
 * - An endpoint with a send still unanswered after `slowAfterMs` is marked
 *   slow at once: the rest of its deliveries leave that invocation (for the
 *   isolation lane) and, for ISOLATION_MS after its last slow answer, new ones
 *   go straight to the isolation lane. A send that gets no answer at all
 *   within the timeout marks it unresponsive ("isolated").
 * - Every invocation sends at most IN_FLIGHT_PER_ENDPOINT requests to one
 *   endpoint at once, within its LANES_PER_INVOCATION connections.
 * - An endpoint whose oldest waiting delivery has waited SATURATED_AFTER_MS is
 *   shown as throttled when its account is over its share (bursting, or with
 *   work parked in its pacer: the wait is the account's own backlog), else as
 *   saturated: more arrives than the endpoint can take at its limit.
 * The marks are a few columns on the endpoint row, written only when they change.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Settings } from "../config";
import type { AccountScope, Database } from "../db/client";
import { endpointIdOf } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { endpoints } from "../db/schema";
import { iso, MINUTE_MS } from "../lib/time";
import type { DeliveryState } from "./deliveryStateResponse";
import { noLiveClaim, oldestWaitingSince, unfinishedOf } from "./stateChanges";

/** Workers allow 6 simultaneous outgoing connections per invocation; more would queue inside our own timeout. */
export const LANES_PER_INVOCATION = 6;

/** At most this many requests to one endpoint are in flight per invocation: a slow one never holds more than half the lanes. */
export const IN_FLIGHT_PER_ENDPOINT = 3;

/** Nor one account's endpoints together, while another account has a delivery in the batch not yet sent. */
export const IN_FLIGHT_PER_ACCOUNT = 3;

/** How long an endpoint stays in the isolation lane after its last slow or unanswered attempt. */
export const ISOLATION_MS = 5 * MINUTE_MS;

/** A delivery waiting this long for its attempt means the endpoint is not keeping up. */
export const SATURATED_AFTER_MS = MINUTE_MS;

/** A send still unanswered after this long marks its endpoint slow: a second, or half the timeout if that is shorter. */
export function slowAfterMs(settings: Settings): number {
	return Math.min(1000, settings.deliveryTimeoutMs / 2);
}

export type IsolationReason = "slow" | "unresponsive";

export function isIsolated(isolatedUntil: number | null, now: number): boolean {
	return isolatedUntil !== null && isolatedUntil > now;
}

/**
 * The statement that isolates an endpoint for ISOLATION_MS from `now`. It
 * writes only when the mark changes: not yet isolated, isolated for less than
 * half the period still, or slow turning unresponsive.
 */
export function markIsolated(db: Database, endpointId: string, reason: IsolationReason, now: number) {
	const until = now + ISOLATION_MS;
	return db
		.update(endpoints)
		.set({ isolatedUntil: until, isolation: reason })
		.where(
			and(
				eq(endpoints.id, endpointId),
				or(
					isNull(endpoints.isolatedUntil),
					lt(endpoints.isolatedUntil, now + ISOLATION_MS / 2),
					reason === "unresponsive" ? sql`${endpoints.isolation} IS NOT 'unresponsive'` : sql`0`,
				),
			),
		);
}

interface Waiting {
	endpointId: string;
	inFlight: number;
	oldestWaiting: number | null;
}

/**
 * Each endpoint's delivery state (why its deliveries wait, as the API and the
 * pages show it), from its row and one read of its unfinished deliveries
 * (through their indexes); `overShare` (the account's pacer) is
 * asked only when a delivery has waited past SATURATED_AFTER_MS.
 */
export async function readDeliveryStates(
	scope: AccountScope,
	rows: readonly { id: string; isolatedUntil: number | null; isolation: IsolationReason | null }[],
	overShare: () => Promise<boolean>,
	now = Date.now(),
): Promise<Map<string, DeliveryState>> {
	const waiting: Waiting[] = rows.length
		? await scope.db
				.select({
					endpointId: endpointIdOf(),
					inFlight: sql<number>`sum(CASE WHEN ${noLiveClaim(now)} THEN 0 ELSE 1 END)`,
					oldestWaiting: oldestWaitingSince(now),
				})
				.from(deliveriesV2)
				.where(
					unfinishedOf(
						scope.accountId,
						now,
						rows.map((row) => row.id),
					),
				)
				.groupBy(deliveriesV2.endpointKey)
		: [];
	const waitedLong = waiting.some((entry) => waitedTooLong(entry.oldestWaiting, now));
	const throttled = waitedLong && (await overShare());
	return new Map(
		rows.map((row) => {
			const found = waiting.find((entry) => entry.endpointId === row.id);
			return [row.id, deliveryState(row, found?.inFlight ?? 0, found?.oldestWaiting ?? null, throttled, now)];
		}),
	);
}

/** A due delivery has waited more than SATURATED_AFTER_MS. */
function waitedTooLong(oldestWaiting: number | null, now: number): boolean {
	return oldestWaiting !== null && oldestWaiting <= now - SATURATED_AFTER_MS;
}

function deliveryState(
	row: { isolatedUntil: number | null; isolation: IsolationReason | null },
	inFlight: number,
	oldestWaiting: number | null,
	accountOverShare: boolean,
	now: number,
): DeliveryState {
	const isolated = isIsolated(row.isolatedUntil, now);
	let state: DeliveryState["state"] = isolated ? (row.isolation === "unresponsive" ? "isolated" : "slow") : "healthy";
	if (waitedTooLong(oldestWaiting, now)) state = accountOverShare ? "throttled" : "saturated";
	return {
		state,
		// Throttled: the account's backlog, not the endpoint, decides when it moves.
		until: isolated && state !== "throttled" ? iso(row.isolatedUntil) : null,
		in_flight: Number(inFlight),
		oldest_waiting_at: iso(oldestWaiting),
	};
}
