/**
 * Claiming deliveries for automatic attempts, the first of three steps (then
 * send.ts: checkAndSend, then record.ts), each delivery carried with its send
 * result from one step to the next. In one D1 round trip per wave, right
 * before it is sent: re-read the wave's endpoints, cancel deliveries whose
 * endpoint was deleted or disabled, and claim the rest that are due: bump
 * attempt_count (the single source of truth for the 1 + MAX_RETRIES budget),
 * stamp a claim id and a lease. A duplicate message, a second alarm or the
 * sweep finds nothing claimable and sends nothing. An attempt cut off by a
 * crash has already been counted; the sweep takes the delivery up again once
 * its lease has passed.
 */
import { and, eq, exists, not, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { type Database, inList } from "../db/client";
import { accountIdText, eventIdOf, theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { endpoints, events } from "../db/schema";
import { readBody } from "../lib/storedBody";
import { firstAttemptOverFairRate } from "./fairRate";
import { isIsolated } from "./isolation";
import type { Lane } from "./queue";
import {
	claimable,
	claimLeaseMs,
	type DeliveryRef,
	finished,
	isUnfinishedStatus,
	maxAttempts,
	receivesDeliveries,
	unfinished,
	untouchedDeliveries,
} from "./stateChanges";

/** Everything needed to send one delivery, read in the round trip that claimed it. */
export interface DeliveryTarget extends DeliveryRef {
	endpointId: string;
	eventId: string;
	/** Automatic attempts including this one (0 for a manual attempt's view of an unclaimed delivery). */
	attemptCount: number;
	body: string;
	url: string;
	secret: string;
	/** JSON list of rotated-out secrets with their expiry. */
	previousSecrets: string;
	/** JSON object of custom headers. */
	headers: string;
	/** The endpoint's streak had sent `endpoint.failing` when claimed: a success sends `endpoint.recovered` (operationalFacts.ts). */
	alertedSince: number | null;
}

/** A wave's deliveries as D1 holds them right after the claim. */
export interface WaveRow extends DeliveryRef {
	endpointId: string;
	status: string;
	attemptCount: number;
	nextAttemptAt: number | null;
	/** The endpoint's isolation, as read in the claim's round trip. */
	isolatedUntil: number | null;
	/** A main-lane first attempt left unclaimed: its account is over its fair rate (fairRate.ts). */
	overFairRate: boolean;
	/** Claimed by this invocation: `target` is set. */
	target: DeliveryTarget | null;
}

/** The endpoint of the row read, by its key: for conditions on it. */
const ofEndpoint = (condition: SQL) =>
	exists(
		sql`(SELECT 1 FROM ${endpointKeys} JOIN ${endpoints} ON ${endpoints.id} = ${endpointKeys.endpointId} WHERE ${endpointKeys.key} = ${deliveriesV2.endpointKey} AND ${condition})`,
	);

const liveEndpoint = () => ofEndpoint(receivesDeliveries());

/**
 * The columns a send needs, for the deliveries `where` picks; claimed: those claimed by `claimId` (or every one
 * without). An event's text comes back once, on the first claimed row of its event, and not at all for `readEvents`
 * (events whose text the caller holds already): a wave holds several deliveries of an event, and each copy of a
 * deflated body costs D1 a read and the Worker a parse (a BLOB comes back as an array of numbers). `overFairRate`,
 * the main lane's claim condition, says which first attempts it left to the bulk lane.
 */
export function selectTargets(
	db: Database,
	where: SQL,
	claimId?: string,
	readEvents: readonly string[] = [],
	overFairRate: SQL<boolean> = sql`0`,
) {
	const mine = claimId === undefined ? sql`1` : sql`${deliveriesV2.claimId} IS ${sql.param(claimId, deliveriesV2.claimId)}`;
	const eventId = eventIdOf();
	const carriesBody = and(
		mine,
		sql`row_number() OVER (PARTITION BY ${eventId} ORDER BY ${mine} DESC) = 1`,
		readEvents.length ? not(inList(eventId, readEvents)) : undefined,
	);
	return db
		.select({
			accountId: deliveriesV2.accountId,
			deliveryId: deliveriesV2.id,
			endpointId: endpointKeys.endpointId,
			eventId,
			status: deliveriesV2.status,
			attemptCount: deliveriesV2.attemptCount,
			nextAttemptAt: deliveriesV2.nextAttemptAt,
			isolatedUntil: endpoints.isolatedUntil,
			claimed: sql<number>`${mine}`,
			// Only for a row left unclaimed: the claim itself asked it of every first attempt already.
			// Named: left unnamed, its constant form (`0`, other lanes) garbled the rows read back, and nothing was sent.
			overFairRate: sql<number>`CASE WHEN ${mine} THEN 0 ELSE ${overFairRate} END`.as("over_fair_rate"),
			body: sql<string | null>`CASE WHEN ${carriesBody} THEN ${events.body} END`,
			bodyDeflated: sql<number[] | null>`CASE WHEN ${carriesBody} THEN ${events.bodyDeflated} END`,
			url: endpoints.url,
			secret: endpoints.secret,
			previousSecrets: endpoints.previousSecrets,
			headers: endpoints.headers,
			alertedSince: endpoints.alertedSince,
		})
		.from(deliveriesV2)
		.innerJoin(events, and(eq(events.accountId, accountIdText()), eq(events.id, eventId)))
		.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
		.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
		.where(where);
}

type TargetRow = Awaited<ReturnType<ReturnType<typeof selectTargets>["all"]>>[number];

/**
 * Rows read back by selectTargets, each event's text inflated once: `bodies` holds it by event for a whole batch
 * (and so names the events it has read), each claimed row takes it from there.
 */
export async function waveRows(rows: readonly TargetRow[], bodies = new Map<string, Promise<string>>()): Promise<WaveRow[]> {
	for (const { eventId, body, bodyDeflated } of rows)
		if (body !== null && !bodies.has(eventId)) bodies.set(eventId, readBody({ body, bodyDeflated }));
	return Promise.all(
		rows.map(async (row) => {
			const { claimed, overFairRate, body, bodyDeflated, url, secret, previousSecrets, headers, isolatedUntil, alertedSince, ...delivery } =
				row;
			if (!claimed) return { ...delivery, isolatedUntil, overFairRate: Boolean(overFairRate), target: null };
			const text = bodies.get(delivery.eventId);
			// The claim's read carries each event's text it was not told was read: a claimed row without it is a bug.
			if (!text) throw new Error(`the claim's read left out the text of event ${delivery.eventId}`);
			return {
				...delivery,
				isolatedUntil,
				overFairRate: false,
				target: { ...delivery, body: await text, url, secret, previousSecrets, headers, alertedSince },
			};
		}),
	);
}

/**
 * The endpoint of the row read takes deliveries from `lane` now, in one look at it: it receives deliveries, and in the
 * main and bulk lanes is not isolated right now (those are left to the isolation lane).
 */
const claimableEndpoint = (lane: Lane, now: number) =>
	ofEndpoint(
		and(
			receivesDeliveries(),
			lane === "isolation" ? undefined : sql`(${endpoints.isolatedUntil} IS NULL OR ${endpoints.isolatedUntil} <= ${now})`,
		) as SQL,
	);

/**
 * The statements of one wave's claim, for a batch: cancel the deliveries whose
 * endpoint is gone or disabled (no attempt used), claim the claimable ones
 * (outside the isolation lane, not those of an isolated endpoint; in the main
 * lane, no first attempt of an account over its fair rate), and read every one
 * of them back (current URL, secret, headers and isolation).
 */
export function claimWave(
	db: Database,
	settings: Settings,
	lane: Lane,
	refs: readonly DeliveryRef[],
	claimId: string,
	now: number,
	readEvents: readonly string[] = [],
) {
	const overRate = lane === "main" ? firstAttemptOverFairRate(now, settings) : undefined;
	const named = theseDeliveries(refs);
	return [
		db
			.update(deliveriesV2)
			.set(finished("cancelled", now))
			.where(and(named, unfinished(), not(liveEndpoint()), untouchedDeliveries())),
		db
			.update(deliveriesV2)
			.set({
				attemptCount: sql`${deliveriesV2.attemptCount} + 1`,
				claimId,
				leaseUntil: now + claimLeaseMs(settings),
				updatedAt: now,
			})
			.where(
				and(
					named,
					claimable(settings, now),
					claimableEndpoint(lane, now),
					overRate && not(overRate),
					// A move holds the account here (dispatch sends the message again later): no claim, so none is in flight at its switch.
					untouchedDeliveries(),
				),
			),
		selectTargets(db, named, claimId, readEvents, overRate),
	] as const;
}

/** Hands back claims taken by `claimId` for deliveries that were not sent after all: no attempt was made. */
export function releaseClaims(db: Database, refs: readonly DeliveryRef[], claimId: string) {
	return db
		.update(deliveriesV2)
		.set({ attemptCount: sql`${deliveriesV2.attemptCount} - 1`, claimId: null, leaseUntil: null })
		.where(and(theseDeliveries(refs), eq(deliveriesV2.claimId, claimId)));
}

/**
 * A retry due at most this far ahead of our clock was handed over by a clock
 * running ahead of ours: it is sent again when due. One due later is a stale
 * duplicate; its alarm hands it over in time.
 */
const CLOCK_SKEW_MS = 60_000;

/** A retry with attempts left whose due time is a little ahead of our clock. */
export function isEarlyRetry(row: WaveRow, settings: Settings, now: number): boolean {
	return (
		isUnfinishedStatus(row.status) &&
		row.attemptCount > 0 &&
		row.attemptCount < maxAttempts(settings) &&
		row.nextAttemptAt !== null &&
		row.nextAttemptAt > now &&
		row.nextAttemptAt <= now + CLOCK_SKEW_MS
	);
}

/**
 * A wave's delivery that was not claimed, for no reason the claim's read shows: not found, or unfinished and neither
 * isolated (outside the isolation lane) nor an early retry. A duplicate or one in flight elsewhere looks the same as
 * one whose account a move holds (db/moveMarkers.ts): only these are looked up.
 */
export function unclaimedForNoSeenReason(row: WaveRow | undefined, lane: Lane, settings: Settings, now: number): boolean {
	if (!row) return true;
	const isolatedHere = lane !== "isolation" && isIsolated(row.isolatedUntil, now);
	return !row.target && isUnfinishedStatus(row.status) && !isolatedHere && !row.overFairRate && !isEarlyRetry(row, settings, now);
}
