/**
 * Endpoint queries and views (their shapes in endpointResponses.ts), always
 * within one account. Deleting an
 * endpoint is a soft delete that cancels its pending and retrying deliveries
 * in the same transaction; history is kept.
 */
import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import { type AccountScope, inList } from "../db/client";
import { deliveriesV2 } from "../db/keyedSchema";
import { endpoints } from "../db/schema";
import type { DeliveryState } from "../delivery/deliveryStateResponse";
import { readDeliveryStates } from "../delivery/isolation";
import { isOverShare } from "../delivery/pacing";
import { retiredUntil } from "../delivery/signingSecrets";
import { cancelUnfinishedDeliveries, unfinishedOf } from "../delivery/stateChanges";
import { ALL_EVENTS } from "../eventTypes";
import { HttpError } from "../http/errors";
import { newId } from "../lib/ids";
import { newSigningSecret } from "../lib/standardWebhooks";
import { iso } from "../lib/time";
import { maskedHeaders } from "./customHeaders";
import { endpointHealth } from "./endpointHealth";
import type { EndpointView, SecretView } from "./endpointResponses";

export type EndpointRow = typeof endpoints.$inferSelect;

export function storedHeaders(row: EndpointRow): Record<string, string> {
	return JSON.parse(row.headers);
}

function toView(row: EndpointRow, deliveryState: DeliveryState, withSecret: boolean): EndpointView {
	const view: EndpointView = {
		id: row.id,
		url: row.url,
		events: JSON.parse(row.events),
		enabled: row.enabled,
		disabled_reason: row.disabledReason,
		disabled_cause: row.disabledCause,
		disabled_at: iso(row.disabledAt),
		headers: maskedHeaders(storedHeaders(row)),
		health: endpointHealth(row),
		delivery_state: deliveryState,
		created_at: iso(row.createdAt),
		updated_at: iso(row.updatedAt),
	};
	if (withSecret) view.secret = row.secret;
	return view;
}

/** Views of `rows` with their delivery states (one read for all); `withSecret` names the rows whose secret is shown. */
export async function endpointViews(
	env: Env,
	scope: AccountScope,
	rows: readonly EndpointRow[],
	withSecret: readonly string[] = [],
): Promise<EndpointView[]> {
	const states = await readDeliveryStates(scope, rows, () => isOverShare(env, scope.accountId));
	return rows.map((row) => toView(row, states.get(row.id) as DeliveryState, withSecret.includes(row.id)));
}

export async function endpointView(env: Env, scope: AccountScope, row: EndpointRow, withSecret = false): Promise<EndpointView> {
	const [view] = await endpointViews(env, scope, [row], withSecret ? [row.id] : []);
	return view;
}

/** A signing secret, for a response that must never be cached. */
export function secretView(row: EndpointRow): SecretView {
	return { secret: row.secret, previous_secret_expires_at: iso(retiredUntil(row.previousSecrets, Date.now())) };
}

const liveInAccount = (scope: AccountScope) => and(eq(endpoints.accountId, scope.accountId), isNull(endpoints.deletedAt));

/** Live endpoints in the order they were added (rowid keeps the typed order of one Update App). */
export function listEndpoints(scope: AccountScope): Promise<EndpointRow[]> {
	return scope.db.select().from(endpoints).where(liveInAccount(scope)).orderBy(asc(endpoints.createdAt), sql`rowid`);
}

export function findEndpoint(scope: AccountScope, id: string): Promise<EndpointRow | undefined> {
	return scope.db
		.select()
		.from(endpoints)
		.where(and(eq(endpoints.id, id), liveInAccount(scope)))
		.get();
}

/** The live endpoint of this account, or a 404 (also for another account's id: no hint that it exists). */
export async function requireEndpoint(scope: AccountScope, id: string): Promise<EndpointRow> {
	const row = await findEndpoint(scope, id);
	if (!row) throw new HttpError("not_found", `No endpoint with id ${id}.`);
	return row;
}

export function newEndpoint(
	accountId: string,
	url: string,
	events: readonly string[] = [ALL_EVENTS],
	headers: Record<string, string> = {},
	now = Date.now(),
): EndpointRow {
	return {
		id: newId("ep", now),
		accountId,
		url,
		events: JSON.stringify(events),
		enabled: true,
		secret: newSigningSecret(),
		previousSecrets: "[]",
		headers: JSON.stringify(headers),
		disabledReason: null,
		disabledCause: null,
		disabledAt: null,
		lastAttemptAt: null,
		lastStatusCode: null,
		lastAttemptSucceeded: null,
		lastAttemptError: null,
		consecutiveFailures: 0,
		failingSince: null,
		alertedSince: null,
		isolatedUntil: null,
		isolation: null,
		createdAt: now,
		updatedAt: now,
		deletedAt: null,
	};
}

/** How many of the endpoint's deliveries are pending or retrying (what disabling or deleting it cancels), through their index. */
export async function unfinishedCount(scope: AccountScope, endpointId: string): Promise<number> {
	const [row] = await scope.db
		.select({ total: count() })
		.from(deliveriesV2)
		.where(unfinishedOf(scope.accountId, Date.now(), [endpointId]));
	return row?.total ?? 0;
}

/** The statements that delete endpoints (any number: the ids are one parameter) and cancel their unfinished deliveries, for one batch. */
export function deleteEndpointsStatements(scope: AccountScope, ids: string[], now: number) {
	return [
		cancelUnfinishedDeliveries(scope, ids, now),
		scope.db
			.update(endpoints)
			.set({ deletedAt: now })
			.where(and(inList(endpoints.id, ids), liveInAccount(scope))),
	] as const;
}
