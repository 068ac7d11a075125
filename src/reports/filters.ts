/**
 * The filters of the delivery log and the events list, as zod schemas that
 * validate a query string (the API's, or a page's filter form), with their
 * page sizes and the one way a list is read a page at a time: newest first,
 * Older (`before`, or `cursor` as it always was) and Newer (`after`) by id,
 * which sorts by time.
 *
 * A filter the query cannot narrow by an index (a delivery's newest attempt's
 * error kind or status) is checked on the rows read: a page then reads on,
 * SCAN_CHUNK rows at a time, until it is full or has read SCAN_LIMIT rows; a
 * page cut short there still says where to go on.
 */
import { asc, desc, gt, is, lt, SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import * as z from "zod/mini";
import { DELIVERY_STATUSES } from "../db/schema";
import { ERROR_KINDS } from "../delivery/errorKinds";
import { EVENT_TYPES } from "../eventTypes";

export const DELIVERY_PAGE_SIZE = 50;
export const EVENT_PAGE_SIZE = 50;

/** Most rows one page reads to find the rows a checked-on-read filter keeps. */
export const SCAN_LIMIT = 1000;
const SCAN_CHUNK = 200;

const time = (example: string) => z.optional(z.iso.datetime({ offset: true, error: `must be an ISO 8601 time, e.g. ${example}` }));

/** An id of `prefix` (lib/ids.ts): 28 hex digits after it. */
const idOf = (prefix: string, what: string) =>
	z.optional(z.string().check(z.regex(new RegExp(`^${prefix}_[0-9a-f]{28}$`), { error: `must be ${what} (${prefix}_…)` })));

/** What both lists take: a ticket, a time range, and the cursors: ids of the list's rows (`prefix`). */
const listFields = (prefix: string) => {
	const cursor = idOf(prefix, "a cursor this list returned");
	return {
		ticket_id: z.optional(z.string().check(z.minLength(1, { error: "must not be empty" }))),
		since: time("2026-11-20T09:00:00Z"),
		until: time("2026-11-21T09:00:00Z"),
		/** The `next_cursor` of the previous page (as `cursor` too, as it always was). */
		before: cursor,
		cursor,
		/** The `prev_cursor` of the previous page. */
		after: cursor,
	};
};

export const deliveryFilterSchema = z.object({
	status: z.optional(z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(", ")}` })),
	endpoint_id: idOf("ep", "an endpoint id"),
	event_type: z.optional(z.enum(EVENT_TYPES, { error: "must be one of the 16 event types" })),
	error_kind: z.optional(z.enum(ERROR_KINDS, { error: `must be one of ${ERROR_KINDS.join(", ")}` })),
	http_status: z.optional(
		z.pipe(z.string().check(z.regex(/^[1-5]\d\d$/, { error: "must be an HTTP status code, e.g. 500" })), z.transform(Number)),
	),
	failing: z.optional(z.enum(["true"], { error: 'must be "true" (or left out)' })),
	...listFields("dlv"),
});

export const eventFilterSchema = z.object({
	event_type: z.optional(z.enum(EVENT_TYPES, { error: "must be one of the 16 event types" })),
	...listFields("evt"),
});

export type DeliveryFilter = z.infer<typeof deliveryFilterSchema>;
export type EventFilter = z.infer<typeof eventFilterSchema>;

/** Which way a page reads from its cursor: older rows (newest first), or newer ones. */
interface Window {
	newer: boolean;
	cursor: string | undefined;
}

function windowOf(filter: { before?: string; cursor?: string; after?: string }): Window {
	return filter.after ? { newer: true, cursor: filter.after } : { newer: false, cursor: filter.before ?? filter.cursor };
}

/** Reads up to `limit` rows past `cursor` (null: from the newest, or the oldest when reading newer), in the window's order. */
export type ReadRows<Row> = (bounds: { where: SQL | undefined; orderBy: SQL } & Window, limit: number) => Promise<Row[]>;

export interface Page<Row> {
	page: Row[];
	/** Older rows: pass as `before` (or `cursor`). */
	nextCursor: string | null;
	/** Newer rows: pass as `after`. */
	prevCursor: string | null;
}

/**
 * The id column to page by: as it is, or (`+id`) kept from choosing the index,
 * for a query narrowed by another index (a ticket's few rows are sorted
 * rather than found by walking every id in order).
 */
export function pagedBy(id: SQLiteColumn, byAnotherIndex: boolean): SQLiteColumn | SQL {
	return byAnotherIndex ? sql`+${id}` : id;
}

/** The ids past `cursor`: against a column through gt/lt, so the cursor is bound as the column stores it. */
function past(id: SQLiteColumn | SQL, newer: boolean, cursor: string): SQL {
	if (is(id, SQL)) return newer ? sql`${id} > ${cursor}` : sql`${id} < ${cursor}`;
	return newer ? gt(id, cursor) : lt(id, cursor);
}

/**
 * One page of a list, newest first: `size` rows from the window the filter's
 * cursors name, of those `keep` accepts (all by default).
 */
export async function readPage<Row extends { id: string }>(
	filter: { before?: string; cursor?: string; after?: string },
	id: SQLiteColumn | SQL,
	size: number,
	read: ReadRows<Row>,
	keep?: (row: Row) => boolean,
): Promise<Page<Row>> {
	const window = windowOf(filter);
	const chunk = keep ? SCAN_CHUNK : size + 1;
	const kept: Row[] = [];
	let cursor = window.cursor;
	let scanned = 0;
	let resume: string | null = null;
	while (resume === null) {
		const where = cursor === undefined ? undefined : past(id, window.newer, cursor);
		const rows = await read({ where, orderBy: window.newer ? asc(id) : desc(id), newer: window.newer, cursor }, chunk);
		scanned += rows.length;
		for (const row of rows) {
			if (keep && !keep(row)) continue;
			if (kept.length === size) {
				resume = kept[size - 1].id;
				break;
			}
			kept.push(row);
		}
		if (resume !== null || rows.length < chunk) break;
		cursor = rows[rows.length - 1].id;
		// Read enough for one page: go on from the last row read.
		if (scanned >= SCAN_LIMIT) resume = cursor;
	}
	if (!window.newer) return { page: kept, nextCursor: resume, prevCursor: window.cursor === undefined ? null : (kept[0]?.id ?? null) };
	const page = kept.reverse();
	return { page, nextCursor: page[page.length - 1]?.id ?? window.cursor ?? null, prevCursor: resume };
}
