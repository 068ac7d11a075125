/**
 * Endpoint queries. Deleting an endpoint is a soft delete that cancels its
 * pending and retrying deliveries in the same transaction; history is kept.
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { endpoints } from "../db/schema";
import { cancelUnfinishedDeliveries } from "../delivery/cancel";
import { newSigningSecret } from "../delivery/signature";
import { ALL_EVENTS } from "../events";
import { newId } from "../http/ids";

export type EndpointRow = typeof endpoints.$inferSelect;

/** The public view of an endpoint; `secret` only where it was just created. */
export interface EndpointView {
	id: string;
	url: string;
	events: string[];
	enabled: boolean;
	created_at: string;
	secret?: string;
}

export function toView(row: EndpointRow, withSecret = false): EndpointView {
	const view: EndpointView = {
		id: row.id,
		url: row.url,
		events: JSON.parse(row.events),
		enabled: row.enabled,
		created_at: new Date(row.createdAt).toISOString(),
	};
	if (withSecret) view.secret = row.secret;
	return view;
}

export function listEndpoints(db: Database): Promise<EndpointRow[]> {
	return db.select().from(endpoints).where(isNull(endpoints.deletedAt)).orderBy(asc(endpoints.createdAt), asc(endpoints.id));
}

export function findEndpoint(db: Database, id: string): Promise<EndpointRow | undefined> {
	return db
		.select()
		.from(endpoints)
		.where(and(eq(endpoints.id, id), isNull(endpoints.deletedAt)))
		.get();
}

export function newEndpoint(url: string, events: readonly string[] = [ALL_EVENTS]): EndpointRow {
	const now = Date.now();
	return {
		id: newId("ep", now),
		url,
		events: JSON.stringify(events),
		enabled: true,
		secret: newSigningSecret(),
		previousSecret: null,
		previousSecretExpiresAt: null,
		headers: "{}",
		disabledReason: null,
		createdAt: now,
		updatedAt: now,
		deletedAt: null,
	};
}

/** The statements that delete endpoints and cancel their unfinished deliveries, for one batch. */
export function deleteEndpointsStatements(db: Database, ids: string[]) {
	const now = Date.now();
	return [
		cancelUnfinishedDeliveries(db, ids, now),
		db
			.update(endpoints)
			.set({ deletedAt: now })
			.where(and(inArray(endpoints.id, ids), isNull(endpoints.deletedAt))),
	] as const;
}
