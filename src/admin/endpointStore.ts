/**
 * Endpoint queries and views. Deleting an endpoint is a soft delete that
 * cancels its pending and retrying deliveries in the same transaction;
 * history is kept.
 */
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { endpoints } from "../db/schema";
import { cancelUnfinishedDeliveries } from "../delivery/cancel";
import { ALL_EVENTS } from "../events";
import { HttpError } from "../http/errors";
import { newId } from "../ids";
import { newSigningSecret } from "../standardWebhooks";
import { maskedHeaders } from "./customHeaders";

export type EndpointRow = typeof endpoints.$inferSelect;

/** The public view of an endpoint: header values masked; `secret` only where it was just created or rotated. */
export interface EndpointView {
	id: string;
	url: string;
	events: string[];
	enabled: boolean;
	/** Why Hivepost disabled it by itself (e.g. 410 Gone); null otherwise. */
	disabled_reason: string | null;
	/** Header name → masked hint of its value. */
	headers: Record<string, string>;
	created_at: string;
	updated_at: string;
	secret?: string;
}

export function toView(row: EndpointRow, withSecret = false): EndpointView {
	const view: EndpointView = {
		id: row.id,
		url: row.url,
		events: JSON.parse(row.events),
		enabled: row.enabled,
		disabled_reason: row.disabledReason,
		headers: maskedHeaders(storedHeaders(row)),
		created_at: new Date(row.createdAt).toISOString(),
		updated_at: new Date(row.updatedAt).toISOString(),
	};
	if (withSecret) view.secret = row.secret;
	return view;
}

export function storedHeaders(row: EndpointRow): Record<string, string> {
	return JSON.parse(row.headers);
}

/** Live endpoints in the order they were added (rowid keeps the typed order of one Update App). */
export function listEndpoints(db: Database): Promise<EndpointRow[]> {
	return db.select().from(endpoints).where(isNull(endpoints.deletedAt)).orderBy(asc(endpoints.createdAt), sql`rowid`);
}

export function findEndpoint(db: Database, id: string): Promise<EndpointRow | undefined> {
	return db
		.select()
		.from(endpoints)
		.where(and(eq(endpoints.id, id), isNull(endpoints.deletedAt)))
		.get();
}

/** The live endpoint, or a 404. */
export async function requireEndpoint(db: Database, id: string): Promise<EndpointRow> {
	const row = await findEndpoint(db, id);
	if (!row) throw new HttpError("not_found", `No endpoint with id ${id}. List them with GET /api/endpoints.`);
	return row;
}

export function newEndpoint(url: string, events: readonly string[] = [ALL_EVENTS], headers: Record<string, string> = {}): EndpointRow {
	const now = Date.now();
	return {
		id: newId("ep", now),
		url,
		events: JSON.stringify(events),
		enabled: true,
		secret: newSigningSecret(),
		previousSecret: null,
		previousSecretExpiresAt: null,
		headers: JSON.stringify(headers),
		disabledReason: null,
		lastAttemptAt: null,
		lastStatusCode: null,
		lastAttemptSucceeded: null,
		lastAttemptError: null,
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
