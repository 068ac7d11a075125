/**
 * The one place delivery attempts are made, whoever asks: the queue consumer
 * and the retry alarm (automatic attempts) and an admin's "Retry now"
 * (manual attempts).
 *
 * Automatic attempts, for a set of deliveries:
 *   1. claim the ones that are due, in one statement: bump attempt_count
 *      (the single source of truth for the 1 + MAX_RETRIES budget), move
 *      next_attempt_at out by a lease and stamp a claim id. A duplicate queue
 *      message or a second alarm run finds nothing due and does nothing;
 *   2. check each destination again and sign and POST, at most 6 at a time;
 *   3. record every attempt and the new delivery states in one batch, fenced
 *      by the claim id.
 * An attempt cut off by a crash has already been counted; the sweep takes the
 * delivery up again once its lease has passed.
 */
import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { chunk } from "../chunk";
import { destinationPolicy, type Settings } from "../config";
import { type Database, insertInChunks, MAX_IDS_PER_STATEMENT } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import { newId } from "../ids";
import { checkDestination } from "../security/destination";
import { cancelUnfinishedDeliveries } from "./cancel";
import { mapWithConcurrency } from "./concurrency";
import { refusedResult, type SendResult, sendWebhook } from "./send";

/** Workers allow 6 simultaneous outgoing connections; more would queue inside our own timeout. */
export const MAX_FETCHES_IN_FLIGHT = 6;

/** The longest a Retry-After header may postpone the next attempt. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** What an automatic attempt made of a delivery. */
export type AttemptResult =
	| { deliveryId: string; result: "delivered" | "failed" }
	| { deliveryId: string; result: "retrying"; nextAttemptAt: number };

export type AttemptOutcome =
	| AttemptResult
	/** Not due, already finished, or taken by another attempt: nothing was sent. */
	| { deliveryId: string; result: "skipped" };

/** Everything needed to send one delivery. */
const targetColumns = {
	id: deliveries.id,
	endpointId: deliveries.endpointId,
	attemptCount: deliveries.attemptCount,
	// Distinct column names: D1 batch results are keyed by name.
	eventId: deliveries.eventId,
	body: events.body,
	url: endpoints.url,
	secret: endpoints.secret,
	previousSecret: endpoints.previousSecret,
	previousSecretExpiresAt: endpoints.previousSecretExpiresAt,
	headers: endpoints.headers,
};

interface DeliveryTarget {
	id: string;
	endpointId: string;
	attemptCount: number;
	eventId: string;
	body: string;
	url: string;
	secret: string;
	previousSecret: string | null;
	previousSecretExpiresAt: number | null;
	headers: string;
}

function selectTargets(db: Database) {
	return db
		.select(targetColumns)
		.from(deliveries)
		.innerJoin(events, eq(events.id, deliveries.eventId))
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId));
}

export async function attemptDeliveries(db: Database, settings: Settings, deliveryIds: readonly string[]): Promise<AttemptOutcome[]> {
	const ids = [...new Set(deliveryIds)];
	const claimId = newId("clm");
	const claimed = (await Promise.all(chunk(ids, MAX_IDS_PER_STATEMENT).map((part) => claim(db, settings, part, claimId)))).flat();
	const results = await mapWithConcurrency(claimed, MAX_FETCHES_IN_FLIGHT, (target) => send(target, settings));
	const recorded = await record(db, settings, claimId, claimed, results);
	return ids.map((id) => recorded.get(id) ?? { deliveryId: id, result: "skipped" });
}

async function claim(db: Database, settings: Settings, ids: string[], claimId: string): Promise<DeliveryTarget[]> {
	const now = Date.now();
	// Long enough that a live attempt is never taken up by the sweep while it still runs.
	const leaseEnd = now + settings.retryIntervalMs + settings.deliveryTimeoutMs;
	const [, targets] = await db.batch([
		db
			.update(deliveries)
			.set({ attemptCount: sql`${deliveries.attemptCount} + 1`, nextAttemptAt: leaseEnd, claimId, updatedAt: now })
			.where(
				and(
					inArray(deliveries.id, ids),
					inArray(deliveries.status, ["pending", "retrying"]),
					lte(deliveries.nextAttemptAt, now),
					lt(deliveries.attemptCount, settings.maxRetries + 1),
				),
			),
		selectTargets(db).where(and(inArray(deliveries.id, ids), eq(deliveries.claimId, claimId))),
	]);
	return targets;
}

/** Checks the destination again (settings or the URL may have changed since it was saved), then sends. */
function send(target: DeliveryTarget, settings: Settings): Promise<SendResult> {
	const check = checkDestination(target.url, destinationPolicy(settings));
	if (!check.ok) return Promise.resolve(refusedResult(`refused: the destination ${check.problem}`));
	const now = Date.now();
	const rotatedOut = target.previousSecret && (target.previousSecretExpiresAt ?? 0) > now ? [target.previousSecret] : [];
	return sendWebhook({
		url: check.url,
		body: target.body,
		webhookId: target.eventId,
		secrets: [target.secret, ...rotatedOut],
		headers: JSON.parse(target.headers),
		timeoutMs: settings.deliveryTimeoutMs,
	});
}

function attemptRow(target: DeliveryTarget, result: SendResult, manual: boolean) {
	return {
		deliveryId: target.id,
		attemptNumber: manual ? null : target.attemptCount,
		manual,
		startedAt: result.startedAt,
		durationMs: result.durationMs,
		statusCode: result.statusCode,
		error: result.error,
		responseBody: result.responseBody,
		succeeded: result.ok,
	};
}

/** A destination that answers 410 Gone has asked us to stop: disable the endpoint and cancel its other deliveries. */
function disableGoneEndpoint(db: Database, target: DeliveryTarget, now: number) {
	return [
		db
			.update(endpoints)
			.set({ enabled: false, disabledReason: `The destination answered 410 Gone on ${new Date(now).toISOString()}.`, updatedAt: now })
			.where(eq(endpoints.id, target.endpointId)),
		cancelUnfinishedDeliveries(db, [target.endpointId], now, target.id),
	];
}

/**
 * The statements that store each endpoint's newest attempt (among these) on the
 * endpoint row, for its health; one JSON parameter carries all of them, and an
 * older result never overwrites a newer one written by a concurrent batch.
 */
function lastAttemptUpdates(db: Database, targets: DeliveryTarget[], results: SendResult[]) {
	const newest = new Map<string, { id: string; at: number; status: number | null; ok: boolean; error: string | null }>();
	targets.forEach((target, i) => {
		const { startedAt, statusCode, ok, error } = results[i];
		if ((newest.get(target.endpointId)?.at ?? -1) <= startedAt) {
			newest.set(target.endpointId, { id: target.endpointId, at: startedAt, status: statusCode, ok, error });
		}
	});
	return chunk([...newest.values()], MAX_IDS_PER_STATEMENT - 10).map((part) => {
		const json = JSON.stringify(part);
		const field = (name: string) =>
			sql`(SELECT json_extract(value, ${`$.${name}`}) FROM json_each(${json}) WHERE json_extract(value, '$.id') = ${endpoints.id})`;
		return db
			.update(endpoints)
			.set({
				lastAttemptAt: field("at"),
				lastStatusCode: field("status"),
				lastAttemptSucceeded: field("ok"),
				lastAttemptError: field("error"),
			})
			.where(
				and(
					inArray(
						endpoints.id,
						part.map((entry) => entry.id),
					),
					or(isNull(endpoints.lastAttemptAt), lte(endpoints.lastAttemptAt, field("at"))),
				),
			);
	});
}

async function record(
	db: Database,
	settings: Settings,
	claimId: string,
	claimed: DeliveryTarget[],
	results: SendResult[],
): Promise<Map<string, AttemptResult>> {
	const outcomes = new Map<string, AttemptResult>();
	if (claimed.length === 0) return outcomes;
	const now = Date.now();
	const rows = claimed.map((target, i) => attemptRow(target, results[i], false));
	const finished = { delivered: [] as string[], failed: [] as string[] };
	const retrying: { id: string; at: number }[] = [];
	claimed.forEach((target, i) => {
		const outcome = nextState(settings, target, results[i]);
		outcomes.set(target.id, outcome);
		if (outcome.result === "retrying") retrying.push({ id: target.id, at: outcome.nextAttemptAt });
		else finished[outcome.result].push(target.id);
	});
	// A few statements per batch, not one per delivery: each sets one outcome for many deliveries, fenced by the claim.
	const fenced = (ids: string[]) => and(inArray(deliveries.id, ids), eq(deliveries.claimId, claimId));
	const updates = [
		...(["delivered", "failed"] as const).flatMap((status) =>
			chunk(finished[status], MAX_IDS_PER_STATEMENT).map((ids) =>
				db.update(deliveries).set({ status, nextAttemptAt: null, claimId: null, updatedAt: now }).where(fenced(ids)),
			),
		),
		...chunk(retrying, RETRYING_PER_STATEMENT).map((part) => {
			const ids = part.map((delivery) => delivery.id);
			const nextAttemptAt = sql<number>`CASE ${deliveries.id} ${sql.join(
				part.map((delivery) => sql`WHEN ${delivery.id} THEN ${delivery.at}`),
				sql` `,
			)} END`;
			return db.update(deliveries).set({ status: "retrying", nextAttemptAt, claimId: null, updatedAt: now }).where(fenced(ids));
		}),
	];
	const gone = claimed.flatMap((target, i) => (results[i].statusCode === 410 ? disableGoneEndpoint(db, target, now) : []));
	const [first, ...rest] = [...insertInChunks(db, attempts, rows), ...updates, ...gone, ...lastAttemptUpdates(db, claimed, results)];
	await db.batch([first, ...rest]);
	return outcomes;
}

/** Retrying deliveries per UPDATE: three bound parameters each (CASE id and time, IN list) within D1's 100. */
const RETRYING_PER_STATEMENT = 30;

function nextState(settings: Settings, target: DeliveryTarget, result: SendResult): AttemptResult {
	if (result.ok) return { deliveryId: target.id, result: "delivered" };
	if (result.statusCode === 410 || target.attemptCount >= settings.maxRetries + 1) return { deliveryId: target.id, result: "failed" };
	const interval = result.startedAt + settings.retryIntervalMs;
	const askedFor = result.retryAfterMs === null ? 0 : result.startedAt + Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS);
	return { deliveryId: target.id, result: "retrying", nextAttemptAt: Math.max(interval, askedFor) };
}

export type ManualAttempt = ReturnType<typeof attemptRow> & { deliveryStatus: string };

/**
 * "Retry now": one immediate attempt outside the automatic budget. A success
 * ends the delivery (and so its pending retries); a failure leaves the
 * automatic schedule exactly as it was. Returns null for an unknown delivery.
 */
export async function attemptNow(db: Database, settings: Settings, deliveryId: string): Promise<ManualAttempt | null> {
	const target = await selectTargets(db).where(eq(deliveries.id, deliveryId)).get();
	if (!target) return null;
	const result = await send(target, settings);
	const now = Date.now();
	const row = attemptRow(target, result, true);
	const finish = db
		.update(deliveries)
		.set({ status: "delivered", nextAttemptAt: null, claimId: null, updatedAt: now })
		.where(and(eq(deliveries.id, deliveryId), inArray(deliveries.status, ["pending", "retrying", "failed"])));
	// A 410 stops this delivery too, not only the endpoint's others.
	const stop = db
		.update(deliveries)
		.set({ status: "failed", nextAttemptAt: null, claimId: null, updatedAt: now })
		.where(and(eq(deliveries.id, deliveryId), inArray(deliveries.status, ["pending", "retrying"])));
	const gone = result.statusCode === 410 ? [stop, ...disableGoneEndpoint(db, target, now)] : [];
	await db.batch([db.insert(attempts).values(row), ...(result.ok ? [finish] : []), ...gone, ...lastAttemptUpdates(db, [target], [result])]);
	const status = await db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, deliveryId)).get();
	return { ...row, deliveryStatus: status?.status ?? "unknown" };
}
