/**
 * Redeliver: after an outage, resend what an endpoint did not get, in bounded
 * steps (REDELIVER_LIMIT a call; `more` says to call again). Since a time, it
 * restarts the endpoint's existing deliveries that need it, in place with a
 * fresh automatic budget and their attempt history kept, and gives each event
 * it missed a new delivery (through ingest's fan-out, in the event's
 * millisecond).
 *
 * What needs a restart, by `include`: `failed` (attempts used up, or 410),
 * `cancelled` (its endpoint was disabled or deleted first), and `retrying`
 * (waiting for its next retry, and not in an attempt right now). A restarted
 * delivery is `pending` until its next attempt, so calling again restarts
 * nothing twice; only a delivery that has failed again since is taken again.
 * `missed`: events that are not test events, received at or after both
 * `since` and the endpoint's creation, that its event filter takes now, with
 * no delivery to it. Each write checks again what it read, so two calls at
 * once resend nothing twice either.
 */
import { and, asc, eq, gte, isNull, lt, min, or, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { idFloorOf, madeAt, statusesIn, theseDeliveries, toEndpoint } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { endpoints, events } from "../db/schema";
import { handOver, handOverOf } from "../delivery/pacing";
import { holdForQueue, noLiveClaim } from "../delivery/stateChanges";
import { ALL_EVENTS } from "../eventTypes";
import { HttpError } from "../http/errors";
import { hasDeliveryTo, insertMissedDeliveries, liveEndpoints, recountDeliveries } from "../ingest/createDeliveries";
import { idFloor } from "../lib/ids";
import { HOUR_MS, utcText } from "../lib/time";
import { recordChange } from "./audit";
import { takeManualAction } from "./deliveryActions";
import { type ChangeContext, ENABLED } from "./endpointChanges";
import type { RedeliverRequest } from "./endpointRequests";
import { type EndpointRow, requireEndpoint } from "./endpointStore";

/** Most deliveries one call restarts or creates; after a long outage, call again for the rest. */
export const REDELIVER_LIMIT = 1000;

export interface Redelivered {
	/** Restarted and created (or, for a dry run, that would be). */
	count: number;
	/** More remain beyond this call's limit. */
	more: boolean;
}

/** The endpoint's deliveries made at or after `from`: ids sort by creation time, so a range of the primary key. */
function endpointDeliveriesFrom(change: ChangeContext, endpointId: string, from: number): SQL {
	return and(toEndpoint(change.accountId, endpointId), gte(deliveriesV2.id, idFloor("dlv", from))) as SQL;
}

/**
 * When the endpoint's failing streak began, as a `since` that takes in what failed in it: the creation of the oldest
 * delivery failed, retrying or cancelled since then. That is before `failing_since`, the start of the streak's first
 * failed attempt: its delivery was made before it was tried. Looked for among the deliveries made within an automatic
 * attempt schedule (and an hour) before; none there: `failing_since` itself; no streak: null.
 */
export async function streakStart(change: ChangeContext, endpoint: EndpointRow, settings: Settings): Promise<number | null> {
	const began = endpoint.failingSince;
	if (began === null) return null;
	const from = began - settings.maxRetries * settings.retryIntervalMs - HOUR_MS;
	const [first] = await change.db
		.select({ id: min(deliveriesV2.id) })
		.from(deliveriesV2)
		.where(
			and(
				endpointDeliveriesFrom(change, endpoint.id, from),
				lt(deliveriesV2.id, idFloorOf(began + 1)),
				statusesIn(["failed", "retrying", "cancelled"]),
				gte(deliveriesV2.updatedAt, began),
			),
		);
	return first?.id ? madeAt(first.id) : began;
}

/** The existing deliveries `include` asks to restart, at `now`. */
function needsRestart(include: readonly string[], now: number): SQL {
	const statuses = (["failed", "cancelled"] as const).filter((status) => include.includes(status));
	return or(
		statuses.length ? statusesIn(statuses) : undefined,
		include.includes("retrying") ? and(statusesIn(["retrying"]), noLiveClaim(now)) : undefined,
		sql`0`,
	) as SQL;
}

/** What one call would take: the deliveries to restart, the events missed, each one past the limit at most (that one says there is more). */
async function candidates(change: ChangeContext, endpoint: EndpointRow, request: RedeliverRequest, since: number, now: number) {
	const restart = await change.db
		.select({ id: deliveriesV2.id })
		.from(deliveriesV2)
		.where(and(endpointDeliveriesFrom(change, endpoint.id, since), needsRestart(request.include, now)))
		.orderBy(asc(deliveriesV2.id))
		.limit(REDELIVER_LIMIT + 1);
	const room = REDELIVER_LIMIT - Math.min(restart.length, REDELIVER_LIMIT);
	if (!request.include.includes("missed")) return { restart, missed: [], room };
	const from = Math.max(since, endpoint.createdAt);
	const missed = await change.db
		.select({ id: events.id })
		.from(events)
		.where(
			and(
				eq(events.accountId, change.accountId),
				gte(events.id, idFloor("evt", from)),
				gte(events.receivedAt, from),
				eq(events.isTest, false),
				sql`EXISTS (SELECT 1 FROM json_each(${endpoint.events}) WHERE value IN (${ALL_EVENTS}, ${events.actionType}))`,
				sql`NOT ${hasDeliveryTo(change.accountId, endpoint.id)}`,
			),
		)
		.orderBy(asc(events.id))
		.limit(room + 1);
	return { restart, missed, room };
}

/** Redelivers to an endpoint what `request` asks for; a dry run counts and changes nothing. */
export async function redeliver(
	env: Env,
	change: ChangeContext,
	settings: Settings,
	endpointId: string,
	request: RedeliverRequest,
): Promise<Redelivered> {
	const endpoint = await requireEndpoint(change, endpointId);
	if (!endpoint.enabled && !request.enable) {
		throw new HttpError(
			"endpoint_disabled",
			"The endpoint is disabled, so nothing can be redelivered to it. Enable it first (or send enable: true).",
		);
	}
	const now = Date.now();
	const since = Date.parse(request.since);
	const { restart, missed, room } = await candidates(change, endpoint, request, since, now);
	const more = restart.length > REDELIVER_LIMIT || missed.length > room;
	const restarting = restart.slice(0, REDELIVER_LIMIT).map(({ id }) => ({ accountId: change.accountId, endpointId, deliveryId: id }));
	const missing = missed.slice(0, room).map(({ id }) => id);
	if (request.dry_run) return { count: restarting.length + missing.length, more };
	await takeManualAction(env, settings, change.accountId);

	const stillLive = sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${liveEndpoints(change.accountId, eq(endpoints.id, endpointId))})`;
	const enabling = !endpoint.enabled;
	const [first, ...rest] = [
		// Enabled first, so the statements after it find the endpoint receiving deliveries.
		...(enabling
			? [
					change.db
						.update(endpoints)
						.set({ ...ENABLED, updatedAt: now })
						.where(and(eq(endpoints.id, endpointId), eq(endpoints.accountId, change.accountId), isNull(endpoints.deletedAt))),
					recordChange(change, endpointId, change.actor, "endpoint enabled", `${endpoint.url} (to redeliver)`, now),
				]
			: []),
		change.db
			.update(deliveriesV2)
			.set({
				status: "pending",
				attemptCount: 0,
				nextAttemptAt: now,
				claimId: null,
				leaseUntil: null,
				updatedAt: now,
			})
			.where(and(theseDeliveries(restarting), needsRestart(request.include, now), stillLive))
			.returning({ deliveryId: deliveriesV2.id }),
		insertMissedDeliveries(change, endpointId, missing, now),
		...(missing.length ? [recountDeliveries(change, missing)] : []),
		recordChange(change, endpointId, change.actor, "deliveries redelivered", `${request.include.join(", ")} since ${utcText(since)}`, now),
	];
	const results = await change.db.batch([first, ...rest]);
	const offset = enabling ? 2 : 0;
	const restarted = results[offset] as { deliveryId: string }[];
	const created = results[offset + 1] as { deliveryId: string }[];
	// The account's pacer decides each one's lane, so a large redelivery takes the bulk lane beyond the fair rate;
	// those it could not take stay unheld, for the sweep.
	const handed = await handOver(
		env,
		[...restarted, ...created].map(({ deliveryId }) =>
			handOverOf({ accountId: change.accountId, deliveryId, endpointId }, endpoint.isolatedUntil, now),
		),
		"sweep",
	);
	if (handed.length) await holdForQueue(change.db, handed, settings, Date.now());
	return { count: restarted.length + created.length, more };
}
