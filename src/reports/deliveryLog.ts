/**
 * The delivery log as admins read it, within one account: deliveries newest
 * first (filtered, paginated by id, which sorts by creation time), and one
 * delivery with every attempt (their shapes in reportResponses.ts).
 */
import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import { type AccountScope, accountCheck } from "../db/client";
import { attempts, deliveries, endpoints, events } from "../db/schema";
import type { SendResult } from "../delivery/send";
import { deliveriesIn, isUnfinishedStatus } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { HttpError } from "../http/errors";
import { iso } from "../lib/time";
import { DELIVERY_PAGE_SIZE, type DeliveryFilter, paginate } from "./filters";
import type { AttemptView, DeliveryDetail, DeliveryPage, DeliveryView } from "./reportResponses";

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

export function toDeliveryView(row: DeliveryRow): DeliveryView {
	return {
		id: row.id,
		event_id: row.eventId,
		endpoint_id: row.endpointId,
		endpoint_url: row.endpointUrl,
		/** A deleted endpoint's deliveries stay in the log but cannot be retried. */
		endpoint_deleted: row.endpointDeletedAt !== null,
		// Stored only once validated (ingest, Send test event).
		action_type: row.actionType as EventType,
		test: row.isTest,
		status: row.status,
		attempt_count: row.attemptCount,
		// While a delivery is pending or retrying this is when its next automatic attempt is due.
		next_attempt_at: isUnfinishedStatus(row.status) ? iso(row.nextAttemptAt) : null,
		created_at: iso(row.createdAt),
		updated_at: iso(row.updatedAt),
	};
}

export function selectDeliveries(scope: AccountScope) {
	return scope.db
		.select(deliveryColumns)
		.from(deliveries)
		.innerJoin(events, and(eq(events.accountId, deliveries.accountId), eq(events.id, deliveries.eventId)))
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId));
}

export async function listDeliveries(scope: AccountScope, filter: DeliveryFilter): Promise<DeliveryPage> {
	// Filtered by endpoint, its index walks that endpoint's deliveries only; the account is then only checked.
	const conditions: SQL[] = [
		filter.endpoint_id ? accountCheck(deliveries.accountId, scope.accountId) : eq(deliveries.accountId, scope.accountId),
	];
	if (filter.status) conditions.push(eq(deliveries.status, filter.status));
	if (filter.endpoint_id) conditions.push(eq(deliveries.endpointId, filter.endpoint_id));
	if (filter.event_type) conditions.push(eq(events.actionType, filter.event_type));
	if (filter.cursor) conditions.push(lt(deliveries.id, filter.cursor));
	const rows = await selectDeliveries(scope)
		.where(and(...conditions))
		.orderBy(desc(deliveries.id))
		.limit(DELIVERY_PAGE_SIZE + 1);
	const { page, nextCursor } = paginate(rows, DELIVERY_PAGE_SIZE);
	return { deliveries: page.map(toDeliveryView), next_cursor: nextCursor };
}

export async function deliveryDetail(scope: AccountScope, id: string): Promise<DeliveryDetail> {
	const row = await selectDeliveries(scope)
		.where(deliveriesIn([{ accountId: scope.accountId, deliveryId: id }]))
		.get();
	if (!row) throw new HttpError("not_found", `No delivery with id ${id}. List them with GET …/deliveries.`);
	const tries = await scope.db
		.select()
		.from(attempts)
		.where(and(eq(attempts.accountId, scope.accountId), eq(attempts.deliveryId, id)))
		.orderBy(asc(attempts.seq));
	return { ...toDeliveryView(row), attempts: tries.map(toAttemptView) };
}

/** An attempt as the API shows it; `number` counts automatic attempts and is null for a manual one. */
export function toAttemptView(attempt: Omit<typeof attempts.$inferSelect, "accountId" | "deliveryId" | "seq">): AttemptView {
	return {
		number: attempt.attemptNumber,
		manual: attempt.manual,
		started_at: iso(attempt.startedAt),
		duration_ms: attempt.durationMs,
		status_code: attempt.statusCode,
		error: attempt.error,
		response_body: attempt.responseBody,
		succeeded: attempt.succeeded,
	};
}

/** What a "Retry now" attempt looked like, in the same shape. */
export function manualAttemptView(result: SendResult): AttemptView {
	return toAttemptView({
		attemptNumber: null,
		manual: true,
		startedAt: result.startedAt,
		durationMs: result.durationMs,
		statusCode: result.statusCode,
		error: result.error,
		responseBody: result.responseBody,
		succeeded: result.ok,
	});
}
