/**
 * The delivery log as admins read it, within one account: deliveries newest
 * first, each with its newest attempt (filtered, a page at a time by id, which
 * sorts by creation time), and one delivery with every attempt (their shapes
 * in reportResponses.ts). Deliveries are read from deliveries_v2, endpoint key
 * by endpoint key (db/keyedDeliveries.ts): an endpoint is one range of its
 * primary key, a ticket is found through events_ticket and each event's
 * millisecond, a time range through the ids, failing-now deliveries through
 * the unfinished ones' index; a page of the whole log reads widening windows
 * of time. The newest attempt's error kind and status are checked on the
 * rows read (filters.ts), so they need no column.
 */
import { and, eq, gte, inArray, isNull, lt, max, min, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { AccountScope } from "../db/client";
import { deliveryIdText, eventIdOf, madeAt, madeBetween, ofAccount, ofEvent, toEndpoint } from "../db/keyedDeliveries";
import { deliveriesV2 as deliveries, endpointKeys } from "../db/keyedSchema";
import { attempts, endpoints, events } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import { isUnfinishedStatus, shownStatus, storedAs, unfinishedOf } from "../delivery/stateChanges";
import type { EventType } from "../eventTypes";
import { idFloor } from "../lib/ids";
import { iso } from "../lib/time";
import { DELIVERY_PAGE_SIZE, type DeliveryFilter, readPage } from "./filters";
import type { DeliveryPage, DeliveryView } from "./reportResponses";

/** A delivery's newest attempt: the highest seq of its attempts (a primary-key lookup). */
const newest = alias(attempts, "newest");
const newestSeq = (accountId: string) =>
	sql`(SELECT ${max(attempts.seq)} FROM ${attempts} WHERE ${attempts.accountId} = ${accountId} AND ${attempts.deliveryId} = ${deliveryIdText()})`;

const deliveryColumns = {
	id: deliveries.id,
	eventId: eventIdOf(),
	endpointId: endpointKeys.endpointId,
	endpointUrl: endpoints.url,
	endpointDeletedAt: endpoints.deletedAt,
	actionType: events.actionType,
	ticketId: events.ticketId,
	isTest: events.isTest,
	status: deliveries.status,
	attemptCount: deliveries.attemptCount,
	nextAttemptAt: deliveries.nextAttemptAt,
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
		created_at: iso(madeAt(row.id)),
		updated_at: iso(row.updatedAt),
	};
}

const ofItsEvent = (accountId: string) => and(eq(events.accountId, accountId), eq(events.id, eventIdOf()));

/**
 * Deliveries with their event, endpoint and newest attempt. `eventsFirst`
 * reads the events before their deliveries (CROSS JOIN keeps SQLite to that
 * order): for a ticket's few events, rather than the account's every delivery.
 */
export function selectDeliveries(scope: AccountScope, eventsFirst = false) {
	const { accountId } = scope;
	const select = scope.db.select(deliveryColumns);
	const joined = eventsFirst ? select.from(events).crossJoin(deliveries) : select.from(deliveries).innerJoin(events, ofItsEvent(accountId));
	return joined
		.innerJoin(endpointKeys, eq(endpointKeys.key, deliveries.endpointKey))
		.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
		.leftJoin(newest, and(eq(newest.accountId, accountId), eq(newest.deliveryId, deliveryIdText()), eq(newest.seq, newestSeq(accountId))));
}

/** What the filter's conditions are, each through an index (see the file's opening comment). */
function conditions(scope: AccountScope, filter: DeliveryFilter): SQL[] {
	const { accountId } = scope;
	const endpoint = filter.endpoint_id;
	// Failing now: unfinished, through their index endpoint by endpoint. Else an endpoint's deliveries are one range
	// of the primary key; the account's, one range per endpoint.
	const found: SQL[] = [
		filter.failing
			? unfinishedOf(accountId, Date.now(), endpoint ? [endpoint] : undefined)
			: endpoint
				? toEndpoint(accountId, endpoint)
				: ofAccount(accountId),
	];
	if (filter.status) found.push(inArray(deliveries.status, storedAs(filter.status)));
	if (filter.event_type) found.push(eq(events.actionType, filter.event_type));
	if (filter.since) found.push(gte(deliveries.id, idFloor("dlv", Date.parse(filter.since))));
	if (filter.until) found.push(lt(deliveries.id, idFloor("dlv", Date.parse(filter.until) + 1)));
	if (filter.ticket_id) {
		// The ticket's events (events_ticket), then each one's deliveries: made in its millisecond, a range per endpoint.
		found.push(ofItsEvent(accountId) as SQL, eq(events.ticketId, filter.ticket_id), ofEvent(events.id, events.receivedAt));
	}
	if (filter.failing) {
		// And the newest attempt failed. Live endpoints only: a deleted endpoint's deliveries were cancelled with it.
		found.push(isNull(endpoints.deletedAt), eq(newest.succeeded, false));
	}
	return found;
}

/**
 * Whether a filter reads the account's deliveries across all its endpoints (within `since` and `until`, if given).
 * Ids sort by time, but deliveries_v2 keeps them endpoint by endpoint, so SQLite can only sort what a range of time
 * holds: `readByWindows` reads such a page window by window.
 */
const acrossEndpoints = (filter: DeliveryFilter) => !(filter.endpoint_id || filter.ticket_id || filter.failing);

/** How far past now a page reads: for a delivery made where the clock runs ahead. */
const CLOCK_SLACK_MS = 60_000;
/** The first window a page reads (the newest page's: the last minute and the slack), and how much each next one widens. */
const FIRST_WINDOW_MS = 60_000 + CLOCK_SLACK_MS;
const WIDENING = 8;

/** A span of time, in ms: from `first`, until before `last`. */
interface Span {
	first: number;
	last: number;
}

/**
 * The time a page across endpoints may read, once per page: from the account's first event (no delivery is older
 * than its event) or `since`, until now (and the slack) or `until`. Null when the account has no event.
 */
async function timeToRead(scope: AccountScope, filter: DeliveryFilter): Promise<Span | null> {
	const oldest = await scope.db
		.select({ id: min(events.id) })
		.from(events)
		.where(eq(events.accountId, scope.accountId))
		.get();
	if (!oldest?.id) return null;
	return {
		first: Math.max(madeAt(oldest.id), filter.since ? Date.parse(filter.since) : 0),
		last: filter.until ? Date.parse(filter.until) + 1 : Date.now() + CLOCK_SLACK_MS,
	};
}

/**
 * Reads `limit` deliveries from the cursor's side of time, in windows of time that widen from FIRST_WINDOW_MS
 * until one holds them, or reaches the end of `span`. A page reads about what its last window holds.
 */
async function readByWindows<Row>(
	accountId: string,
	{ first, last }: Span,
	{ newer, cursor }: { newer: boolean; cursor: string | undefined },
	read: (range: SQL) => Promise<Row[]>,
	limit: number,
): Promise<Row[]> {
	const from = cursor === undefined ? (newer ? first : last) : madeAt(cursor) + (newer ? 0 : 1);
	for (let width = FIRST_WINDOW_MS; ; width *= WIDENING) {
		const [lower, upper] = newer ? [from, Math.min(from + width, last)] : [Math.max(from - width, first), from];
		const rows = await read(madeBetween(accountId, lower, upper));
		if (rows.length >= limit || (newer ? upper >= last : lower <= first)) return rows;
	}
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
	// Read once per page; null: the account has no event, so no delivery either.
	const span = acrossEndpoints(filter) ? await timeToRead(scope, filter) : undefined;
	const { page, nextCursor, prevCursor } = await readPage(
		filter,
		deliveries.id,
		DELIVERY_PAGE_SIZE,
		async (bounds, limit) => {
			const read = (range?: SQL) =>
				selectDeliveries(scope, Boolean(filter.ticket_id))
					.where(and(...where, range, bounds.where))
					.orderBy(bounds.orderBy)
					.limit(limit);
			if (span === undefined) return read();
			return span ? readByWindows(scope.accountId, span, bounds, read, limit) : [];
		},
		keep,
	);
	return { deliveries: page.map(toDeliveryView), next_cursor: nextCursor, prev_cursor: prevCursor };
}
