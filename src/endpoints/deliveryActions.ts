/**
 * What an admin can make happen to single deliveries: send a test event, retry
 * one now (redelivering many is redelivery.ts). A test event goes through the
 * same lanes and attempt code as the helpdesk's own events, and its write
 * checks in the same statement that the endpoint is still live and enabled,
 * so a concurrent delete can never leave a delivery to a deleted endpoint.
 * Manual actions (these and Redeliver) count together against the account's
 * MANUAL_ACTIONS_PER_MINUTE, counted by its pacer once the request has passed
 * its checks; the next one is a 429 that says when to try again.
 */
import { eq, sql } from "drizzle-orm";
import type { Settings } from "../config";
import { insertIf } from "../db/client";
import { deliveryOfAccount } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { heldByMove } from "../db/moveMarkers";
import { endpoints, events } from "../db/schema";
import { attemptNow, type ManualAttempt } from "../delivery/manualAttempt";
import { pacerOf, sendRouted } from "../delivery/pacing";
import { queueHoldMs } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { readAsset } from "../http/assets";
import { ACCOUNT_MOVING_RETRY_SECONDS, HttpError } from "../http/errors";
import { eventOverFairRate, insertDeliveries, liveEndpoints, routeInserted } from "../ingest/createDeliveries";
import { newId } from "../lib/ids";
import { storeBody } from "../lib/storedBody";
import { samplePath } from "../samples";
import { recordChange } from "./audit";
import type { ChangeContext } from "./endpointChanges";
import type { TestEventReceipt } from "./endpointResponses";
import { type EndpointRow, requireEndpoint } from "./endpointStore";

function refuseDisabled(endpoint: EndpointRow, what: string): void {
	if (!endpoint.enabled) throw new HttpError("endpoint_disabled", `The endpoint is disabled, so it cannot ${what}. Enable it first.`);
}

/** Counts one manual action of the account (exactly, in its pacer); over MANUAL_ACTIONS_PER_MINUTE, a 429 that says when to try again. */
export async function takeManualAction(env: Env, settings: Settings, accountId: string): Promise<void> {
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
		...(await storeBody(body)),
		receivedAt: now,
		deliveryCount: 1,
		idempotencyKey: null,
		// No key: nothing compares it.
		bodyHash: "",
		isTest: true,
		// The sample's ticket is nobody's: a search by ticket number finds the helpdesk's events only.
		ticketId: null,
	};
	const [, inserted] = await change.db.batch([
		insertIf(change.db, events, event, stillLive),
		insertDeliveries(change, eventId, now, onlyThis, {
			until: now + queueHoldMs(settings),
			overRate: eventOverFairRate(change.accountId, eventId, now, settings),
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

/**
 * "Retry now": one manual attempt, whatever the delivery's status (a
 * cancelled one included: its endpoint is enabled again). 404 for an unknown
 * delivery; 409 when its endpoint was deleted or is disabled.
 */
export async function retryNow(env: Env, change: ChangeContext, settings: Settings, deliveryId: string): Promise<ManualAttempt> {
	const delivery = await change.db
		.select({
			endpointId: endpointKeys.endpointId,
			endpointDeletedAt: endpoints.deletedAt,
			endpointEnabled: endpoints.enabled,
		})
		.from(deliveriesV2)
		.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
		.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
		.where(deliveryOfAccount(change.accountId, deliveryId))
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
	// A manual attempt takes no claim, so a move that stops claims (draining) would not wait for it: it could go out twice.
	if ((await heldByMove(change.db, [change.accountId])).size) {
		throw new HttpError(
			"account_moving",
			"This account is being moved to another database, and Retry now waits for its switch. Try again after Retry-After seconds.",
			undefined,
			ACCOUNT_MOVING_RETRY_SECONDS,
		);
	}
	await takeManualAction(env, settings, change.accountId);
	const attempt = await attemptNow(change.db, settings, { accountId: change.accountId, endpointId: delivery.endpointId, deliveryId });
	if (!attempt) throw new HttpError("not_found", `No delivery with id ${deliveryId}.`);
	await recordChange(change, delivery.endpointId, change.actor, "delivery retried", deliveryId);
	return attempt;
}
