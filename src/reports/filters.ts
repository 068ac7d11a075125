/**
 * The filters of the delivery log and the events list, as zod schemas that
 * validate a query string (the API's, or a page's filter form), with their
 * page sizes and the one way a list is cut into pages.
 */
import * as z from "zod/mini";
import { DELIVERY_STATUSES } from "../db/schema";
import { EVENT_TYPES } from "../eventTypes";

export const DELIVERY_PAGE_SIZE = 50;

export const deliveryFilterSchema = z.object({
	status: z.optional(z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(", ")}` })),
	endpoint_id: z.optional(z.string()),
	event_type: z.optional(z.enum(EVENT_TYPES, { error: "must be one of the 16 event types" })),
	/** The `next_cursor` of the previous page. */
	cursor: z.optional(z.string()),
});

export const EVENT_PAGE_SIZE = 50;

export const eventFilterSchema = z.object({
	event_type: z.optional(z.enum(EVENT_TYPES, { error: "must be one of the 16 event types" })),
	/** The `next_cursor` of the previous page. */
	cursor: z.optional(z.string()),
});

export type DeliveryFilter = z.infer<typeof deliveryFilterSchema>;
export type EventFilter = z.infer<typeof eventFilterSchema>;

/** The page of rows after `cursor` and the cursor of the next one. */
export function paginate<Row extends { id: string }>(rows: Row[], size: number) {
	const page = rows.slice(0, size);
	return { page, nextCursor: rows.length > size ? page[page.length - 1].id : null };
}
