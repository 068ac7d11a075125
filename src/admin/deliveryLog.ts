/**
 * The delivery log as admins read it: deliveries newest first (filtered,
 * paginated by id, which sorts by creation time), one delivery with every
 * attempt, one event with its payload.
 */
import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import { HttpError } from "../http/errors";
import { DELIVERY_PAGE_SIZE, type DeliveryFilter } from "./api/schemas";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const deliveryColumns = {
	id: deliveries.id,
	eventId: deliveries.eventId,
	endpointId: deliveries.endpointId,
	endpointUrl: endpoints.url,
	endpointDeletedAt: endpoints.deletedAt,
	actionType: events.actionType,
	isTest: events.isTest,
	status: deliveries.status,
	attemptCount: deliveries.attemptCount,
	nextAttemptAt: deliveries.nextAttemptAt,
	createdAt: deliveries.createdAt,
	updatedAt: deliveries.updatedAt,
};

type DeliveryRow = NonNullable<Awaited<ReturnType<ReturnType<typeof selectDeliveries>["get"]>>>;

function toDeliveryView(row: DeliveryRow) {
	return {
		id: row.id,
		event_id: row.eventId,
		endpoint_id: row.endpointId,
		endpoint_url: row.endpointUrl,
		/** A deleted endpoint's deliveries stay in the log but cannot be retried. */
		endpoint_deleted: row.endpointDeletedAt !== null,
		action_type: row.actionType,
		test: row.isTest,
		status: row.status,
		attempt_count: row.attemptCount,
		// While a delivery is pending or retrying this is when its next automatic attempt is due.
		next_attempt_at: row.status === "pending" || row.status === "retrying" ? iso(row.nextAttemptAt) : null,
		created_at: iso(row.createdAt) as string,
		updated_at: iso(row.updatedAt) as string,
	};
}

export type DeliveryView = ReturnType<typeof toDeliveryView>;

function selectDeliveries(db: Database) {
	return db
		.select(deliveryColumns)
		.from(deliveries)
		.innerJoin(events, eq(events.id, deliveries.eventId))
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId));
}

export async function listDeliveries(db: Database, filter: DeliveryFilter) {
	const conditions: SQL[] = [];
	if (filter.status) conditions.push(eq(deliveries.status, filter.status));
	if (filter.endpoint_id) conditions.push(eq(deliveries.endpointId, filter.endpoint_id));
	if (filter.event_type) conditions.push(eq(events.actionType, filter.event_type));
	if (filter.cursor) conditions.push(lt(deliveries.id, filter.cursor));
	const rows = await selectDeliveries(db)
		.where(and(...conditions))
		.orderBy(desc(deliveries.id))
		.limit(DELIVERY_PAGE_SIZE + 1);
	const page = rows.slice(0, DELIVERY_PAGE_SIZE);
	return { deliveries: page.map(toDeliveryView), next_cursor: rows.length > DELIVERY_PAGE_SIZE ? page[page.length - 1].id : null };
}

export async function deliveryDetail(db: Database, id: string) {
	const row = await selectDeliveries(db).where(eq(deliveries.id, id)).get();
	if (!row) throw new HttpError("not_found", `No delivery with id ${id}. List them with GET /api/deliveries.`);
	const tries = await db.select().from(attempts).where(eq(attempts.deliveryId, id)).orderBy(asc(attempts.startedAt), asc(attempts.id));
	return {
		...toDeliveryView(row),
		attempts: tries.map(toAttemptView),
	};
}

/** An attempt as the API shows it; `number` counts automatic attempts and is null for a manual one. */
export function toAttemptView(attempt: Omit<typeof attempts.$inferSelect, "id" | "deliveryId">) {
	return {
		number: attempt.attemptNumber,
		manual: attempt.manual,
		started_at: iso(attempt.startedAt) as string,
		duration_ms: attempt.durationMs,
		status_code: attempt.statusCode,
		error: attempt.error,
		response_body: attempt.responseBody,
		succeeded: attempt.succeeded,
	};
}

export type DeliveryDetail = Awaited<ReturnType<typeof deliveryDetail>>;

export async function eventDetail(db: Database, id: string) {
	const event = await db.select().from(events).where(eq(events.id, id)).get();
	if (!event) throw new HttpError("not_found", `No event with id ${id}.`);
	const itsDeliveries = await selectDeliveries(db).where(eq(deliveries.eventId, id)).orderBy(asc(deliveries.id));
	return {
		id: event.id,
		action_type: event.actionType,
		test: event.isTest,
		received_at: iso(event.receivedAt) as string,
		/** The body exactly as received (text), so it can be shown and checked byte for byte. */
		body: event.body,
		deliveries: itsDeliveries.map(toDeliveryView),
	};
}
