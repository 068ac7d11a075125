/**
 * What an admin can make happen to deliveries: send a test event, redeliver
 * failed ones after an outage, retry one now. Each goes through the same
 * lanes and attempt code as the helpdesk's own events, and each write checks
 * in the same statement that the endpoint is still live and enabled, so a
 * concurrent delete can never leave a delivery to a deleted endpoint.
 * Together they count against the account's MANUAL_ACTIONS_PER_MINUTE,
 * counted by its pacer once the request has passed its checks; the next one
 * is a 429 that says when to try again.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { insertIf } from "../db/client";
import { deliveries, endpoints, events } from "../db/schema";
import { attemptNow, type ManualAttempt } from "../delivery/manualAttempt";
import { handOver, handOverOf, pacerOf, sendRouted } from "../delivery/pacing";
import { deliveriesIn, holdForQueue, queueHoldMs } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { readAsset } from "../http/assets";
import { HttpError } from "../http/errors";
import { insertDeliveries, liveEndpoints, overFairRate, routeInserted } from "../ingest/createDeliveries";
import { sha256Hex } from "../lib/hashing";
import { idFloor, newId } from "../lib/ids";
import { iso } from "../lib/time";
import { samplePath } from "../samples";
import { recordChange } from "./audit";
import type { ChangeContext } from "./endpointChanges";
import type { TestEventReceipt } from "./endpointResponses";
import { type EndpointRow, requireEndpoint } from "./endpointStore";

function refuseDisabled(endpoint: EndpointRow, what: string): void {
	if (!endpoint.enabled) throw new HttpError("endpoint_disabled", `The endpoint is disabled, so it cannot ${what}. Enable it first.`);
}

/** Counts one manual action of the account (exactly, in its pacer); over MANUAL_ACTIONS_PER_MINUTE, a 429 that says when to try again. */
async function takeManualAction(env: Env, settings: Settings, accountId: string): Promise<void> {
	const answer = await pacerOf(env, accountId).takeManualAction();
	if (answer.allowed) return;
	const seconds = Math.ceil(answer.retryAfterMs / 1000);
	throw new HttpError(
		"rate_limited",
		`Too many manual actions: an account may make ${settings.manualActionsPerMinute} a minute (Send test event, Retry now and Redeliver together). Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
		undefined,
		seconds,
	);
}

/** A new event (marked as a test) with the sample payload of `actionType`, delivered to this endpoint only. */
export async function sendTestEvent(
	env: Env,
	change: ChangeContext,
	settings: Settings,
	endpointId: string,
	actionType: EventType,
): Promise<TestEventReceipt> {
	refuseDisabled(await requireEndpoint(change, endpointId), "receive a test event");
	await takeManualAction(env, settings, change.accountId);
	const now = Date.now();
	const body = await readAsset(env, samplePath(actionType));
	const eventId = newId("evt", now);
	const onlyThis = eq(endpoints.id, endpointId);
	const stillLive = sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${liveEndpoints(change.accountId, onlyThis)})`;
	const event = {
		accountId: change.accountId,
		id: eventId,
		actionType,
		body,
		receivedAt: now,
		deliveryCount: 1,
		idempotencyKey: null,
		bodyHash: await sha256Hex(body),
		isTest: true,
	};
	const [, inserted] = await change.db.batch([
		insertIf(change.db, events, event, stillLive),
		insertDeliveries(change, eventId, now, onlyThis, {
			until: now + queueHoldMs(settings),
			overRate: overFairRate(change.accountId, eventId, now, settings),
		}),
	]);
	// Deleted or disabled between the check above and the write: the write did nothing.
	if (inserted.length === 0) {
		throw new HttpError("endpoint_disabled", "The endpoint was deleted or disabled a moment ago; nothing was sent.");
	}
	await recordChange(change, endpointId, change.actor, "test event sent", actionType, now);
	const [routed] = routeInserted(change.accountId, inserted);
	await sendRouted(env, [routed]);
	return { event_id: eventId, delivery_id: routed.deliveryId };
}

/** Most deliveries one "Redeliver failed" starts over; after a long outage, press it again for the rest. */
export const REDELIVER_LIMIT = 1000;

/**
 * Every `failed` delivery of the endpoint created since `since` starts over
 * with a fresh automatic budget (reset in place, one statement); its attempt
 * history stays. They are handed to the account's pacer, so a large
 * redelivery takes the bulk lane beyond the account's fair rate.
 */
export async function redeliverFailed(
	env: Env,
	change: ChangeContext,
	settings: Settings,
	endpointId: string,
	since: number,
): Promise<number> {
	const endpoint = await requireEndpoint(change, endpointId);
	refuseDisabled(endpoint, "be redelivered to");
	await takeManualAction(env, settings, change.accountId);
	const now = Date.now();
	const failedSince = change.db
		.select({ accountId: deliveries.accountId, id: deliveries.id })
		.from(deliveries)
		// Ids sort by creation time: the endpoint's index range from `since` on.
		.where(
			and(
				eq(deliveries.endpointId, endpointId),
				gte(deliveries.id, idFloor("dlv", since)),
				gte(deliveries.createdAt, since),
				eq(deliveries.status, "failed"),
			),
		)
		.limit(REDELIVER_LIMIT);
	const [reset] = await change.db.batch([
		change.db
			.update(deliveries)
			.set({
				status: "pending",
				attemptCount: 0,
				nextAttemptAt: now,
				claimId: null,
				leaseUntil: null,
				updatedAt: now,
			})
			.where(
				and(
					eq(deliveries.accountId, change.accountId),
					sql`(${deliveries.accountId}, ${deliveries.id}) IN ${failedSince}`,
					sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${liveEndpoints(change.accountId, eq(endpoints.id, endpointId))})`,
				),
			)
			.returning({ deliveryId: deliveries.id }),
		recordChange(change, endpointId, change.actor, "failed deliveries redelivered", `failed deliveries created since ${iso(since)}`, now),
	]);
	const handed = await handOver(
		env,
		reset.map(({ deliveryId }) => handOverOf({ accountId: change.accountId, deliveryId, endpointId }, endpoint.isolatedUntil, now)),
		"sweep",
	);
	if (handed.length) await holdForQueue(change.db, handed, settings, Date.now());
	return reset.length;
}

/** "Retry now": one manual attempt. 404 for an unknown delivery; 409 when it was cancelled or its endpoint was deleted or is disabled. */
export async function retryNow(env: Env, change: ChangeContext, settings: Settings, deliveryId: string): Promise<ManualAttempt> {
	const ref = { accountId: change.accountId, deliveryId };
	const delivery = await change.db
		.select({
			status: deliveries.status,
			endpointId: deliveries.endpointId,
			endpointDeletedAt: endpoints.deletedAt,
			endpointEnabled: endpoints.enabled,
		})
		.from(deliveries)
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
		.where(deliveriesIn([ref]))
		.get();
	if (!delivery) throw new HttpError("not_found", `No delivery with id ${deliveryId}.`);
	if (delivery.endpointDeletedAt !== null) {
		throw new HttpError(
			"endpoint_deleted",
			"This delivery's endpoint was deleted, so there is nowhere to send it. Register the URL again and redeliver.",
		);
	}
	if (!delivery.endpointEnabled)
		throw new HttpError("endpoint_disabled", "This delivery's endpoint is disabled. Enable it first, then retry.");
	if (delivery.status === "cancelled") {
		throw new HttpError(
			"delivery_cancelled",
			"This delivery was cancelled (its endpoint was disabled or deleted at the time), so it is not retried.",
		);
	}
	await takeManualAction(env, settings, change.accountId);
	const attempt = await attemptNow(change, settings, deliveryId);
	if (!attempt) throw new HttpError("not_found", `No delivery with id ${deliveryId}.`);
	await recordChange(change, delivery.endpointId, change.actor, "delivery retried", deliveryId);
	return attempt;
}
