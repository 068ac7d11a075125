/**
 * The delivery log as admins read it, within one account: deliveries newest
 * first, each with its newest attempt (filtered, a page at a time by id, which
 * sorts by creation time), and one delivery with every attempt (their shapes
 * in reportResponses.ts). Every filter but two narrows by an index: a ticket
 * through events_ticket and each event's millisecond, a time range through the
 * ids, failing-now deliveries through the unfinished ones' indexes. The
 * newest attempt's error kind and status are checked on the rows read
 * (filters.ts), so they need no column.
 */
import { and, asc, eq, gte, inArray, lt, max, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type AccountScope, accountCheck } from "../db/client";
import { attempts, deliveries, deliveryAttempts, endpoints, events } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import type { SendResult } from "../delivery/send";
import { deliveriesIn, isUnfinishedStatus, shownStatus, storedAs, unfinishedTo } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { HttpError } from "../http/errors";
import { deliveryIdFloor } from "../ingest/createDeliveries";
import { idFloor } from "../lib/ids";
import { iso } from "../lib/time";
import { DELIVERY_PAGE_SIZE, type DeliveryFilter, readPage } from "./filters";
import type { AttemptView, DeliveryDetail, DeliveryPage, DeliveryView } from "./reportResponses";

/** A delivery's newest attempt: the highest seq of its attempts (a primary-key lookup). */
const newest = alias(attempts, "newest");
const newestSeq = sql`(SELECT ${max(attempts.seq)} FROM ${attempts} WHERE ${attempts.accountId} = ${deliveries.accountId} AND ${attempts.deliveryId} = ${deliveries.id})`;

const deliveryColumns = {
	id: deliveries.id,
	eventId: deliveries.eventId,
	endpointId: deliveries.endpointId,
	endpointUrl: endpoints.url,
	endpointDeletedAt: endpoints.deletedAt,
	actionType: events.actionType,
	ticketId: events.ticketId,
	isTest: events.isTest,
	status: deliveries.status,
	attemptCount: deliveries.attemptCount,
	nextAttemptAt: deliveries.nextAttemptAt,
	createdAt: deliveries.createdAt,
	updatedAt: deliveries.updatedAt,
	/** The success kept on the row, when there is one (schema.ts). */
	kept: {
		seq: deliveries.okSeq,
		startedAt: deliveries.okStartedAt,
		durationMs: deliveries.okDurationMs,
		statusCode: deliveries.okStatusCode,
	},
	last: {
		seq: newest.seq,
		startedAt: newest.startedAt,
		durationMs: newest.durationMs,
		statusCode: newest.statusCode,
		error: newest.error,
		succeeded: newest.succeeded,
		manual: newest.manual,
	},
};

type DeliveryRow = NonNullable<Awaited<ReturnType<ReturnType<typeof selectDeliveries>["get"]>>>;

/** A delivery's newest attempt: its newest attempts row, or the success kept on its row if that came later. */
function newestAttempt({ kept, last }: DeliveryRow) {
	const { seq, startedAt, durationMs, statusCode } = kept ?? {};
	if (seq == null || startedAt == null || durationMs == null || (last !== null && last.seq > seq)) return last;
	return { seq, startedAt, durationMs, statusCode: statusCode ?? null, error: null, succeeded: true, manual: false };
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
	const last = newestAttempt(row);
	return {
		id: row.id,
		event_id: row.eventId,
		endpoint_id: row.endpointId,
		endpoint_url: row.endpointUrl,
		/** A deleted endpoint's deliveries stay in the log but cannot be retried. */
		endpoint_deleted: row.endpointDeletedAt !== null,
		// Stored only once validated (ingest, Send test event).
		action_type: row.actionType as EventType,
		ticket_id: row.ticketId,
		test: row.isTest,
		status: shownStatus(row.status),
		attempt_count: row.attemptCount,
		// While a delivery is pending or retrying this is when its next automatic attempt is due.
		next_attempt_at: isUnfinishedStatus(row.status) ? iso(row.nextAttemptAt) : null,
		last_attempt: last && {
			started_at: iso(last.startedAt),
			duration_ms: last.durationMs,
			status_code: last.statusCode,
			error: last.error,
			error_kind: last.succeeded ? null : errorKind(last.statusCode, last.error),
			succeeded: last.succeeded,
			manual: last.manual,
		},
		created_at: iso(row.createdAt),
		updated_at: iso(row.updatedAt),
	};
}

const ofItsEvent = () => and(eq(events.accountId, deliveries.accountId), eq(events.id, deliveries.eventId));

/**
 * Deliveries with their event, endpoint and newest attempt. `eventsFirst`
 * reads the events before their deliveries (CROSS JOIN keeps SQLite to that
 * order): for a ticket's few events, rather than the account's every delivery.
 */
export function selectDeliveries(scope: AccountScope, eventsFirst = false) {
	const select = scope.db.select(deliveryColumns);
	const joined = eventsFirst ? select.from(events).crossJoin(deliveries) : select.from(deliveries).innerJoin(events, ofItsEvent());
	return joined
		.innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
		.leftJoin(newest, and(eq(newest.accountId, deliveries.accountId), eq(newest.deliveryId, deliveries.id), eq(newest.seq, newestSeq)));
}

/** What the filter's conditions are, each through an index (see the file's opening comment). */
function conditions(scope: AccountScope, filter: DeliveryFilter): SQL[] {
	const narrowed = Boolean(filter.endpoint_id || filter.ticket_id || filter.failing);
	// Narrowed by another index, the account is only checked: its primary-key prefix would walk its whole history.
	const found: SQL[] = [narrowed ? accountCheck(deliveries.accountId, scope.accountId) : eq(deliveries.accountId, scope.accountId)];
	if (filter.status) found.push(inArray(deliveries.status, storedAs(filter.status)));
	if (filter.endpoint_id) found.push(eq(deliveries.endpointId, filter.endpoint_id));
	if (filter.event_type) found.push(eq(events.actionType, filter.event_type));
	if (filter.since) found.push(gte(deliveries.id, idFloor("dlv", Date.parse(filter.since))));
	if (filter.until) found.push(lt(deliveries.id, idFloor("dlv", Date.parse(filter.until) + 1)));
	if (filter.ticket_id) {
		// The ticket's events (events_ticket), then each one's deliveries: made in its millisecond, a primary-key range.
		found.push(
			ofItsEvent() as SQL,
			eq(events.accountId, scope.accountId),
			eq(events.ticketId, filter.ticket_id),
			gte(deliveries.id, deliveryIdFloor(events.receivedAt)),
			lt(deliveries.id, deliveryIdFloor(sql`${events.receivedAt} + 1`)),
		);
	}
	if (filter.failing) {
		// Unfinished, through their indexes endpoint by endpoint, and the newest attempt failed. Live endpoints only: a deleted
		// endpoint's deliveries were cancelled with it.
		found.push(
			unfinishedTo(
				sql`(SELECT ${endpoints.id} FROM ${endpoints} WHERE ${endpoints.accountId} = ${scope.accountId} AND ${endpoints.deletedAt} IS NULL)`,
				Date.now(),
			),
			eq(newest.succeeded, false),
		);
	}
	return found;
}

/** Deliveries newest first, 50 a page, filtered; `error_kind` and `http_status` match each one's newest attempt. */
export async function listDeliveries(scope: AccountScope, filter: DeliveryFilter): Promise<DeliveryPage> {
	const where = conditions(scope, filter);
	const { error_kind, http_status } = filter;
	const keep =
		error_kind || http_status !== undefined
			? (row: DeliveryRow) => {
					const last = newestAttempt(row);
					return (
						last !== null &&
						(!error_kind || (!last.succeeded && errorKind(last.statusCode, last.error) === error_kind)) &&
						(http_status === undefined || last.statusCode === http_status)
					);
				}
			: undefined;
	const { page, nextCursor, prevCursor } = await readPage(
		filter,
		deliveries.id,
		DELIVERY_PAGE_SIZE,
		(bounds, limit) =>
			selectDeliveries(scope, Boolean(filter.ticket_id))
				.where(and(...where, bounds.where))
				.orderBy(bounds.orderBy)
				.limit(limit),
		keep,
	);
	return { deliveries: page.map(toDeliveryView), next_cursor: nextCursor, prev_cursor: prevCursor };
}

export async function deliveryDetail(scope: AccountScope, id: string): Promise<DeliveryDetail> {
	const row = await selectDeliveries(scope)
		.where(deliveriesIn([{ accountId: scope.accountId, deliveryId: id }]))
		.get();
	if (!row) throw new HttpError("not_found", `No delivery with id ${id}.`);
	// Its attempts rows and the success kept on its row, in the order they were made.
	const tries = await scope.db
		.select()
		.from(deliveryAttempts)
		.where(and(eq(deliveryAttempts.accountId, scope.accountId), eq(deliveryAttempts.deliveryId, id)))
		.orderBy(asc(deliveryAttempts.seq));
	return { ...toDeliveryView(row), attempts: tries.map(toAttemptView) };
}

/** An attempt as the API shows it; `number` counts automatic attempts and is null for a manual one. */
export function toAttemptView(attempt: Omit<typeof deliveryAttempts.$inferSelect, "accountId" | "deliveryId" | "seq">): AttemptView {
	return {
		number: attempt.attemptNumber,
		manual: attempt.manual,
		started_at: iso(attempt.startedAt),
		duration_ms: attempt.durationMs,
		status_code: attempt.statusCode,
		error: attempt.error,
		error_kind: attempt.succeeded ? null : errorKind(attempt.statusCode, attempt.error),
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
