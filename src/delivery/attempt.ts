/**
 * The one function that makes automatic delivery attempts, whoever calls it
 * (queue consumer, retry alarm). For a set of deliveries it:
 *   1. claims the ones that are due, in one statement: bumps attempt_count
 *      (the single source of truth for the 1 + MAX_RETRIES budget), moves
 *      next_attempt_at out by a lease and stamps a claim id. A duplicate queue
 *      message or a second alarm run finds nothing due and does nothing;
 *   2. signs and POSTs each claimed delivery, at most 6 at a time;
 *   3. records every attempt and the new delivery states in one batch, fenced
 *      by the claim id.
 * An attempt cut off by a crash has already been counted; the sweep takes the
 * delivery up again once its lease has passed.
 */
import { and, eq, inArray, lt, lte, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { chunk, type Database, MAX_IDS_PER_STATEMENT } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import { newId } from "../http/ids";
import { mapWithConcurrency } from "./concurrency";
import { type SendResult, sendWebhook } from "./send";

/** Workers allow 6 simultaneous outgoing connections; more would queue inside our own timeout. */
export const MAX_FETCHES_IN_FLIGHT = 6;

/** What an attempt made of a delivery. */
export type AttemptResult =
	| { deliveryId: string; result: "delivered" | "failed" }
	| { deliveryId: string; result: "retrying"; nextAttemptAt: number };

export type AttemptOutcome =
	| AttemptResult
	/** Not due, already finished, or taken by another attempt: nothing was sent. */
	| { deliveryId: string; result: "skipped" };

interface ClaimedDelivery {
	id: string;
	attemptCount: number;
	eventId: string;
	body: string;
	url: string;
	secret: string;
}

export async function attemptDeliveries(db: Database, settings: Settings, deliveryIds: readonly string[]): Promise<AttemptOutcome[]> {
	const ids = [...new Set(deliveryIds)];
	const claimId = newId("clm");
	const claimed = (await Promise.all(chunk(ids, MAX_IDS_PER_STATEMENT).map((part) => claim(db, settings, part, claimId)))).flat();
	const results = await mapWithConcurrency(claimed, MAX_FETCHES_IN_FLIGHT, (delivery) =>
		sendWebhook({
			url: delivery.url,
			body: delivery.body,
			webhookId: delivery.eventId,
			secret: delivery.secret,
			timeoutMs: settings.deliveryTimeoutMs,
		}),
	);
	const recorded = await record(db, settings, claimId, claimed, results);
	return ids.map((id) => recorded.get(id) ?? { deliveryId: id, result: "skipped" });
}

async function claim(db: Database, settings: Settings, ids: string[], claimId: string): Promise<ClaimedDelivery[]> {
	const now = Date.now();
	// Long enough that a live attempt is never taken up by the sweep while it still runs.
	const leaseEnd = now + settings.retryIntervalMs + settings.deliveryTimeoutMs;
	const [, rows] = await db.batch([
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
		db
			.select({
				id: deliveries.id,
				attemptCount: deliveries.attemptCount,
				// Distinct column names: D1 batch results are keyed by name.
				eventId: deliveries.eventId,
				body: events.body,
				url: endpoints.url,
				secret: endpoints.secret,
			})
			.from(deliveries)
			.innerJoin(events, eq(events.id, deliveries.eventId))
			.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
			.where(and(inArray(deliveries.id, ids), eq(deliveries.claimId, claimId))),
	]);
	return rows;
}

/** Columns per attempts row, to keep multi-row inserts under D1's 100 parameters. */
const ATTEMPT_ROWS_PER_INSERT = 12;

async function record(
	db: Database,
	settings: Settings,
	claimId: string,
	claimed: ClaimedDelivery[],
	results: SendResult[],
): Promise<Map<string, AttemptResult>> {
	const outcomes = new Map<string, AttemptResult>();
	if (claimed.length === 0) return outcomes;
	const now = Date.now();
	const attemptRows = claimed.map((delivery, i) => ({
		deliveryId: delivery.id,
		attemptNumber: delivery.attemptCount,
		startedAt: results[i].startedAt,
		durationMs: results[i].durationMs,
		statusCode: results[i].statusCode,
		error: results[i].error,
		responseBody: results[i].responseBody,
		succeeded: results[i].ok,
	}));
	const updates = claimed.map((delivery, i) => {
		const outcome = nextState(settings, delivery, results[i]);
		outcomes.set(delivery.id, outcome);
		return db
			.update(deliveries)
			.set({
				status: outcome.result,
				nextAttemptAt: outcome.result === "retrying" ? outcome.nextAttemptAt : null,
				claimId: null,
				updatedAt: now,
			})
			.where(and(eq(deliveries.id, delivery.id), eq(deliveries.claimId, claimId)));
	});
	const inserts = chunk(attemptRows, ATTEMPT_ROWS_PER_INSERT).map((rows) => db.insert(attempts).values(rows));
	const [first, ...rest] = [...inserts, ...updates];
	await db.batch([first, ...rest]);
	return outcomes;
}

function nextState(settings: Settings, delivery: ClaimedDelivery, result: SendResult): AttemptResult {
	if (result.ok) return { deliveryId: delivery.id, result: "delivered" };
	if (delivery.attemptCount >= settings.maxRetries + 1) return { deliveryId: delivery.id, result: "failed" };
	return { deliveryId: delivery.id, result: "retrying", nextAttemptAt: result.startedAt + settings.retryIntervalMs };
}
