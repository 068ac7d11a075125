/**
 * Fan-out in SQL: one INSERT … SELECT creates a `new` delivery (pending, kept
 * out of deliveries_v2_unfinished: delivery/stateChanges.ts) for every
 * endpoint the filter picks (the live, enabled endpoints of the account that
 * are subscribed to the event, or one endpoint for a test event), whatever
 * their number, with a handful of bound parameters. Redelivery uses its twin
 * for the other direction: one endpoint, the events it missed. Delivery ids
 * are made in the event's millisecond (the SQL twin of ids.ts), which is how
 * an endpoint's range of the primary key finds an event's deliveries.
 *
 * Each delivery's lane is decided in the same statement, so detection costs
 * no round trip: the main lane, unless its endpoint is isolated right now
 * (the isolation lane) or the account is over its fair rate (the bulk lane).
 * Those two go through the account's pacer and are held for it from the start
 * (lease_until), so the sweep leaves them to it.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { type AccountScope, pairIn } from "../db/client";
import { STATUS_CODES } from "../db/columns";
import { endpointIdOf, eventIdOf, newDeliveryId, ofAccount, ofEvent, storedEvent, toEndpoint } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { endpoints, events } from "../db/schema";
import { overFairRate } from "../delivery/fairRate";
import type { Lane, Routed } from "../delivery/queue";
import { receivesDeliveries } from "../delivery/stateChanges";
import { ALL_EVENTS } from "../eventTypes";

/** The account's live, enabled endpoints, further narrowed by `filter`. */
export function liveEndpoints(accountId: string, filter: SQL): SQL {
	return and(eq(endpoints.accountId, accountId), receivesDeliveries(), filter) as SQL;
}

/** Endpoints subscribed to `actionType` (a type, or the column of the event being matched), directly or through "all events". */
export function subscribedTo(actionType: string | SQL): SQL {
	return sql`EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE json_each.value IN (${ALL_EVENTS}, ${actionType}))`;
}

/** How many deliveries `insertDeliveries` creates for the same arguments: the event row's count, written with it. */
export function countEndpoints(accountId: string, filter: SQL): SQL<number> {
	return sql<number>`(SELECT count(*) FROM ${endpoints} WHERE ${liveEndpoints(accountId, filter)})`;
}

/**
 * Whether the account is over its fair rate as of the event `eventId` (stored in the same batch, before its
 * deliveries), for this event's fan-out; the subqueries are uncorrelated, so SQLite evaluates them once per statement.
 */
export function eventOverFairRate(accountId: string, eventId: string, now: number, settings: Settings): SQL<boolean> {
	const fanOut = sql<number>`(SELECT ${events.deliveryCount} FROM ${events} WHERE ${events.accountId} = ${accountId} AND ${events.id} = ${eventId})`;
	return overFairRate(accountId, fanOut, now, settings);
}

/** Where a new delivery goes (see the top of this file), as the RETURNING clause computes it from the row just written. */
function laneOfInserted(now: number): SQL<Lane> {
	const isolated = sql`(SELECT ${endpoints.isolatedUntil} FROM ${endpoints} WHERE ${endpoints.id} = ${endpointIdOf()}) > ${now}`;
	return sql<Lane>`CASE WHEN ${deliveriesV2.leaseUntil} IS NULL THEN 'main' WHEN ${isolated} THEN 'isolation' ELSE 'bulk' END`;
}

/**
 * A new delivery of `eventId` (made at `madeAt`, the event's millisecond) to the endpoint of the row selected (joined
 * with its key), held until `leaseUntil`: `new` when made now (its id says so: out of deliveries_v2_unfinished), else
 * `pending`. In the table's column order, which INSERT … SELECT follows.
 */
function newDelivery(accountId: string, eventId: SQL | string, madeAt: SQL | number, now: number, leaseUntil: SQL<number | null>) {
	const status = madeAt === now ? "new" : "pending";
	return {
		accountId: sql<string>`${sql.param(accountId, deliveriesV2.accountId)}`.as("account_id"),
		endpointKey: endpointKeys.key,
		id: sql<string>`${newDeliveryId(madeAt)}`.as("id"),
		event: sql<Uint8Array>`${storedEvent(eventId, madeAt)}`.as("event"),
		status: sql.raw(String(STATUS_CODES[status])).as("status") as SQL.Aliased<typeof status>,
		claimId: sql<null>`NULL`.as("claim_id"),
		attemptCount: sql<number>`0`.as("attempt_count"),
		nextAttemptAt: sql<number>`${now}`.as("next_attempt_at"),
		leaseUntil: leaseUntil.as("lease_until"),
		updatedAt: sql<number>`${now}`.as("updated_at"),
		okSeq: sql<null>`NULL`.as("ok_seq"),
		okStartedAt: sql<null>`NULL`.as("ok_started_at"),
		okDurationMs: sql<null>`NULL`.as("ok_duration_ms"),
		okStatusCode: sql<null>`NULL`.as("ok_status_code"),
		okResponse: sql<null>`NULL`.as("ok_response"),
	};
}

export function insertDeliveries(
	scope: AccountScope,
	eventId: string,
	now: number,
	filter: SQL,
	hold: { until: number; overRate: SQL<boolean> },
) {
	const { db, accountId } = scope;
	return db
		.insert(deliveriesV2)
		.select(
			db
				.select(
					newDelivery(
						accountId,
						eventId,
						now,
						now,
						sql<number | null>`CASE WHEN ${endpoints.isolatedUntil} > ${now} OR ${hold.overRate} THEN ${hold.until} END`,
					),
				)
				.from(endpoints)
				.innerJoin(endpointKeys, eq(endpointKeys.endpointId, endpoints.id))
				.where(liveEndpoints(accountId, filter)),
		)
		.returning({ deliveryId: deliveriesV2.id, endpointId: endpointIdOf(), lane: laneOfInserted(now) });
}

/**
 * Deliveries to one endpoint of the events `eventIds` names that it is
 * subscribed to (as it is now) and has none of yet: a missed event gets its
 * delivery once, however often this runs. Each is made in its event's
 * millisecond, so the event finds it; it is due at once, unheld, for the
 * caller to hand to the account's pacer.
 */
export function insertMissedDeliveries(scope: AccountScope, endpointId: string, eventIds: readonly string[], now: number) {
	const { db, accountId } = scope;
	return db
		.insert(deliveriesV2)
		.select(
			db
				.select(newDelivery(accountId, sql`${events.id}`, sql`${events.receivedAt}`, now, sql<null>`NULL`))
				.from(events)
				.innerJoin(endpoints, liveEndpoints(accountId, and(eq(endpoints.id, endpointId), subscribedTo(sql`${events.actionType}`)) as SQL))
				.innerJoin(endpointKeys, eq(endpointKeys.endpointId, endpoints.id))
				.where(and(eventsIn(accountId, eventIds), sql`NOT ${hasDeliveryTo(accountId, endpointId)}`)),
		)
		.returning({ deliveryId: deliveriesV2.id, eventId: eventIdOf() });
}

/** The event of the row being read has a delivery to `endpointId`: one made in its millisecond, in the endpoint's range. */
export function hasDeliveryTo(accountId: string, endpointId: string): SQL {
	return sql`EXISTS (SELECT 1 FROM ${deliveriesV2} WHERE ${toEndpoint(accountId, endpointId)}
		AND ${ofEvent(sql`${events.id}`, sql`${events.receivedAt}`)})`;
}

const eventsIn = (accountId: string, eventIds: readonly string[]) =>
	pairIn(
		events.accountId,
		events.id,
		eventIds.map((id) => [accountId, id] as const),
	);

/** The events `eventIds` names count their deliveries again (each event's deliveries are a range of each endpoint's). For a batch. */
export function recountDeliveries(scope: AccountScope, eventIds: readonly string[]) {
	const counted = sql<number>`(SELECT count(*) FROM ${deliveriesV2} WHERE ${ofAccount(scope.accountId)} AND ${ofEvent(sql`${events.id}`, sql`${events.receivedAt}`)})`;
	return scope.db
		.update(events)
		.set({ deliveryCount: counted })
		.where(and(eventsIn(scope.accountId, eventIds), sql`${events.deliveryCount} != ${counted}`));
}

/** The inserted deliveries, each with its lane. */
export function routeInserted(accountId: string, rows: { deliveryId: string; endpointId: string; lane: Lane }[]): Routed[] {
	return rows.map(({ deliveryId, endpointId, lane }) => ({ accountId, deliveryId, endpointId, lane }));
}
