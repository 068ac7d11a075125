/**
 * Delivery attempts, whoever asks: the queue consumer's waves (automatic
 * attempts, delivery/dispatch.ts) and an admin's "Retry now" (manual).
 *
 * Automatic attempts go in three steps, each delivery carried with its send
 * result from one step to the next:
 *   1. claim: in one D1 round trip per wave, right before it is sent, re-read
 *      the wave's endpoints, cancel deliveries whose endpoint was deleted or
 *      disabled, and claim the rest that are due: bump attempt_count (the
 *      single source of truth for the 1 + MAX_RETRIES budget), stamp a claim
 *      id and a lease. A duplicate message, a second alarm or the sweep finds
 *      nothing claimable and sends nothing;
 *   2. checkAndSend: check the destination again, sign and POST;
 *   3. record: the attempt rows, the new delivery states (fenced by the claim
 *      id), 410 handling and the endpoint's health, in few statements.
 * An attempt cut off by a crash has already been counted; the sweep takes the
 * delivery up again once its lease has passed.
 */
import { and, eq, exists, isNull, lte, ne, not, or, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../config";
import type { AccountScope, Database } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import { checkDestination, destinationPolicy } from "../security/destination";
import type { Lane } from "./queue";
import { refusedResult, type SendResult, sendWebhook } from "./send";
import { liveSecrets } from "./signingSecrets";
import {
	cancelUnfinishedDeliveries,
	claimable,
	claimLeaseMs,
	type DeliveryRef,
	deliveriesIn,
	finished,
	maxAttempts,
	receivesDeliveries,
	unfinished,
} from "./stateChanges";

/** The longest a Retry-After header may postpone the next attempt. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** An unchanged outcome is written to the endpoint's health at most this often (every attempt is in its history). */
export const HEALTH_REFRESH_MS = 5000;

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
}

/** A delivery with what its send came to: one value from the send to the record. */
export interface Completed {
	target: DeliveryTarget;
	result: SendResult;
}

/** What an automatic attempt made of a delivery. */
export type AttemptResult =
	| { ref: DeliveryRef; state: "delivered" | "failed" }
	| { ref: DeliveryRef; state: "retrying"; nextAttemptAt: number };

/** A wave's deliveries as D1 holds them right after the claim. */
export interface WaveRow extends DeliveryRef {
	endpointId: string;
	status: string;
	attemptCount: number;
	nextAttemptAt: number | null;
	/** The endpoint's isolation, as read in the claim's round trip. */
	isolatedUntil: number | null;
	/** Claimed by this invocation: `target` is set. */
	target: DeliveryTarget | null;
}

const liveEndpoint = () =>
	exists(sql`(SELECT 1 FROM ${endpoints} WHERE ${endpoints.id} = ${deliveries.endpointId} AND ${receivesDeliveries()})`);

/** The columns a send needs, for the deliveries `where` picks; `body` only for those claimed by `claimId` (or every one without). */
function selectTargets(db: Database, where: SQL, claimId?: string) {
	const mine = claimId === undefined ? sql`1` : sql`${deliveries.claimId} IS ${claimId}`;
	return db
		.select({
			accountId: deliveries.accountId,
			deliveryId: deliveries.id,
			endpointId: deliveries.endpointId,
			eventId: deliveries.eventId,
			status: deliveries.status,
			attemptCount: deliveries.attemptCount,
			nextAttemptAt: deliveries.nextAttemptAt,
			isolatedUntil: endpoints.isolatedUntil,
			claimed: sql<number>`${mine}`,
			body: sql<string | null>`CASE WHEN ${mine} THEN ${events.body} END`,
			url: endpoints.url,
			secret: endpoints.secret,
			previousSecrets: endpoints.previousSecrets,
			headers: endpoints.headers,
		})
		.from(deliveries)
		.innerJoin(events, and(eq(events.accountId, deliveries.accountId), eq(events.id, deliveries.eventId)))
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
		.where(where);
}

type TargetRow = Awaited<ReturnType<ReturnType<typeof selectTargets>["all"]>>[number];

function toWaveRow(row: TargetRow): WaveRow {
	const { claimed, body, url, secret, previousSecrets, headers, isolatedUntil, ...delivery } = row;
	return {
		...delivery,
		isolatedUntil,
		target: claimed && body !== null ? { ...delivery, body, url, secret, previousSecrets, headers } : null,
	};
}

/** In the main lane, an endpoint isolated right now is left to the isolation lane. */
const notIsolated = (now: number) =>
	sql`NOT EXISTS (SELECT 1 FROM ${endpoints} WHERE ${endpoints.id} = ${deliveries.endpointId} AND ${endpoints.isolatedUntil} > ${now})`;

/**
 * The statements of one wave's claim, for a batch: cancel the deliveries whose
 * endpoint is gone or disabled (no attempt used), claim the claimable ones
 * (in the main lane, not those of an isolated endpoint), and read every one of
 * them back (current URL, secret, headers and isolation).
 */
export function claimWave(db: Database, settings: Settings, lane: Lane, refs: readonly DeliveryRef[], claimId: string, now: number) {
	return [
		db
			.update(deliveries)
			.set(finished("cancelled", now))
			.where(and(deliveriesIn(refs), unfinished(), not(liveEndpoint()))),
		db
			.update(deliveries)
			.set({
				attemptCount: sql`${deliveries.attemptCount} + 1`,
				claimId,
				leaseUntil: now + claimLeaseMs(settings),
				updatedAt: now,
			})
			.where(and(deliveriesIn(refs), claimable(settings, now), liveEndpoint(), lane === "main" ? notIsolated(now) : undefined)),
		selectTargets(db, deliveriesIn(refs), claimId),
	] as const;
}

/** Hands back claims taken by `claimId` for deliveries that were not sent after all: no attempt was made. */
export function releaseClaims(db: Database, refs: readonly DeliveryRef[], claimId: string) {
	return db
		.update(deliveries)
		.set({ attemptCount: sql`${deliveries.attemptCount} - 1`, claimId: null, leaseUntil: null })
		.where(and(deliveriesIn(refs), eq(deliveries.claimId, claimId)));
}

/** The rows read back by claimWave's last statement. */
export function waveRows(rows: TargetRow[]): WaveRow[] {
	return rows.map(toWaveRow);
}

/** Checks the destination again (settings or the URL may have changed since it was saved), then signs and sends. */
export function checkAndSend(target: DeliveryTarget, settings: Settings): Promise<SendResult> {
	const check = checkDestination(target.url, destinationPolicy(settings));
	if (!check.ok) return Promise.resolve(refusedResult(`refused: the destination ${check.problem}`));
	return sendWebhook({
		url: check.url,
		body: target.body,
		webhookId: target.eventId,
		secrets: liveSecrets(target.secret, target.previousSecrets, Date.now()),
		headers: JSON.parse(target.headers),
		timeoutMs: settings.deliveryTimeoutMs,
	});
}

function nextState(settings: Settings, { target, result }: Completed): AttemptResult {
	const ref = { accountId: target.accountId, deliveryId: target.deliveryId };
	if (result.ok) return { ref, state: "delivered" };
	if (result.statusCode === 410 || target.attemptCount >= maxAttempts(settings)) return { ref, state: "failed" };
	const interval = result.startedAt + settings.retryIntervalMs;
	const askedFor = result.retryAfterMs === null ? 0 : result.startedAt + Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS);
	return { ref, state: "retrying", nextAttemptAt: Math.max(interval, askedFor) };
}

/**
 * Attempt rows for completed sends, in one statement whatever their number:
 * each gets the next seq of its delivery.
 */
function insertAttempts(db: Database, completed: readonly Completed[], manual: boolean) {
	const rows = completed.map(({ target, result }) => ({
		accountId: target.accountId,
		deliveryId: target.deliveryId,
		attemptNumber: manual ? null : target.attemptCount,
		manual: manual ? 1 : 0,
		startedAt: result.startedAt,
		durationMs: result.durationMs,
		statusCode: result.statusCode,
		error: result.error,
		responseBody: result.responseBody,
		succeeded: result.ok ? 1 : 0,
	}));
	const field = (name: keyof (typeof rows)[number]) => sql.raw(`value ->> '$.${name}'`);
	return db.insert(attempts).select(
		sql`SELECT ${field("accountId")}, ${field("deliveryId")},
			(SELECT coalesce(max(a.seq), 0) + 1 FROM ${attempts} a WHERE a.account_id = ${field("accountId")} AND a.delivery_id = ${field("deliveryId")}),
			${field("attemptNumber")}, ${field("manual")}, ${field("startedAt")}, ${field("durationMs")}, ${field("statusCode")},
			${field("error")}, ${field("responseBody")}, ${field("succeeded")}
		FROM json_each(${JSON.stringify(rows)})`,
	);
}

/** A destination that answers 410 Gone has asked us to stop: disable the endpoint and cancel its other deliveries. */
function disableGoneEndpoint(db: Database, target: DeliveryTarget, now: number) {
	return [
		db
			.update(endpoints)
			.set({ enabled: false, disabledReason: `The destination answered 410 Gone on ${new Date(now).toISOString()}.`, updatedAt: now })
			.where(eq(endpoints.id, target.endpointId)),
		cancelUnfinishedDeliveries({ accountId: target.accountId, db }, [target.endpointId], now, { keepId: target.deliveryId }),
	];
}

/**
 * What one invocation last wrote to each endpoint's health: an unchanged
 * outcome within HEALTH_REFRESH_MS of it needs no statement at all (the
 * statement would write nothing), so a batch's later waves to the same
 * endpoints cost no health statements.
 */
export class HealthLedger {
	private readonly written = new Map<string, SendResult>();

	/** True when `result` may change the endpoint's health row; it is then taken as written. */
	needsWrite(endpointId: string, result: SendResult): boolean {
		const last = this.written.get(endpointId);
		const unchanged =
			last !== undefined &&
			last.ok === result.ok &&
			last.statusCode === result.statusCode &&
			last.error === result.error &&
			result.startedAt >= last.startedAt &&
			result.startedAt - last.startedAt < HEALTH_REFRESH_MS;
		if (unchanged) return false;
		if (last === undefined || result.startedAt >= last.startedAt) this.written.set(endpointId, result);
		return true;
	}
}

/**
 * Each endpoint's newest outcome among `completed`, onto its row (its health).
 * An older result never overwrites a newer one, and an unchanged outcome is
 * rewritten at most every HEALTH_REFRESH_MS.
 */
function recordHealth(db: Database, completed: readonly Completed[], ledger?: HealthLedger) {
	const newest = new Map<string, SendResult>();
	for (const { target, result } of completed) {
		if ((newest.get(target.endpointId)?.startedAt ?? -1) <= result.startedAt) newest.set(target.endpointId, result);
	}
	return [...newest]
		.filter(([endpointId, result]) => ledger?.needsWrite(endpointId, result) ?? true)
		.map(([endpointId, result]) => {
			const changed = or(
				sql`${endpoints.lastAttemptSucceeded} IS NOT ${result.ok ? 1 : 0}`,
				sql`${endpoints.lastStatusCode} IS NOT ${result.statusCode}`,
				sql`${endpoints.lastAttemptError} IS NOT ${result.error}`,
				lte(endpoints.lastAttemptAt, result.startedAt - HEALTH_REFRESH_MS),
			);
			return db
				.update(endpoints)
				.set({
					lastAttemptAt: result.startedAt,
					lastStatusCode: result.statusCode,
					lastAttemptSucceeded: result.ok,
					lastAttemptError: result.error,
				})
				.where(
					and(
						eq(endpoints.id, endpointId),
						or(isNull(endpoints.lastAttemptAt), and(lte(endpoints.lastAttemptAt, result.startedAt), changed)),
					),
				);
		});
}

/**
 * The statements that record automatic attempts claimed by `claimId`, and what
 * each delivery became. A few statements whatever the number: one insert, one
 * update per outcome (a CASE gives each retry its own time), plus 410 handling
 * and health.
 */
export function recordAttempts(
	db: Database,
	settings: Settings,
	claimId: string,
	completed: readonly Completed[],
	now: number,
	ledger: HealthLedger,
) {
	const results = completed.map((entry) => nextState(settings, entry));
	if (completed.length === 0) return { statements: [], results };
	const mine = (refs: DeliveryRef[]) => and(deliveriesIn(refs), eq(deliveries.claimId, claimId));
	const refsWith = (state: AttemptResult["state"]) => results.filter((result) => result.state === state).map((result) => result.ref);
	const updates = (["delivered", "failed"] as const)
		.filter((state) => refsWith(state).length)
		.map((state) =>
			db
				.update(deliveries)
				.set(finished(state, now))
				.where(mine(refsWith(state))),
		);
	const retrying = results.filter((result) => result.state === "retrying");
	if (retrying.length) {
		const at = sql<number>`CASE ${deliveries.id} ${sql.join(
			retrying.map((result) => sql`WHEN ${result.ref.deliveryId} THEN ${result.nextAttemptAt}`),
			sql` `,
		)} END`;
		updates.push(
			db
				.update(deliveries)
				.set({ status: "retrying", nextAttemptAt: at, claimId: null, leaseUntil: null, updatedAt: now })
				.where(mine(refsWith("retrying"))),
		);
	}
	const gone = completed.flatMap(({ target, result }) => (result.statusCode === 410 ? disableGoneEndpoint(db, target, now) : []));
	return { statements: [insertAttempts(db, completed, false), ...updates, ...gone, ...recordHealth(db, completed, ledger)], results };
}

/** A manual attempt's outcome, with the delivery's status after it. */
export interface ManualAttempt {
	completed: Completed;
	deliveryStatus: string;
}

/**
 * "Retry now": one immediate attempt outside the automatic budget. A success
 * ends the delivery (and so its pending retries); a failure leaves the
 * automatic schedule exactly as it was. Returns null for an unknown delivery.
 */
export async function attemptNow(scope: AccountScope, settings: Settings, deliveryId: string): Promise<ManualAttempt | null> {
	const { db, accountId } = scope;
	const ref = { accountId, deliveryId };
	const row = await selectTargets(db, deliveriesIn([ref])).get();
	const target = row && toWaveRow(row).target;
	if (!target) return null;
	const result = await checkAndSend(target, settings);
	const completed = { target, result };
	const now = Date.now();
	// A success ends the delivery (one that had failed too); a 410 stops it, like every other delivery to that endpoint.
	const finish = result.ok
		? db
				.update(deliveries)
				.set(finished("delivered", now))
				.where(and(deliveriesIn([ref]), ne(deliveries.status, "cancelled")))
		: result.statusCode === 410
			? db
					.update(deliveries)
					.set(finished("failed", now))
					.where(and(deliveriesIn([ref]), unfinished()))
			: null;
	await db.batch([
		insertAttempts(db, [completed], true),
		...(finish ? [finish] : []),
		...(result.statusCode === 410 ? disableGoneEndpoint(db, target, now) : []),
		...recordHealth(db, [completed]),
	]);
	const after = await db
		.select({ status: deliveries.status })
		.from(deliveries)
		.where(deliveriesIn([ref]))
		.get();
	return { completed, deliveryStatus: after?.status ?? "unknown" };
}
