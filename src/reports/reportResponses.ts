/**
 * What the API answers from the delivery log, the events list and the stats,
 * as zod schemas: the view types deliveryLog.ts, eventLog.ts and accountStats.ts
 * return are derived from them, and the OpenAPI document is generated from
 * them (described at build time, in api/deliveries.openapi.ts,
 * api/events.openapi.ts and api/stats.openapi.ts). Imported as types only by
 * the Worker.
 */
import * as z from "zod/mini";
import { DELIVERY_STATUSES } from "../db/schema";
import { ERROR_KINDS } from "../delivery/errorKinds";
import { EVENT_TYPES } from "../eventTypes";
import { count, time } from "../lib/schemaParts";

const eventType = z.enum(EVENT_TYPES);

/** The `next_cursor` (older) or `prev_cursor` (newer) of a page. */
export const cursorSchema = z.nullable(z.string());

export const errorKindSchema = z.nullable(z.enum(ERROR_KINDS));

/** A delivery's newest attempt (automatic or manual), as the lists show it. */
export const lastAttemptSchema = z.object({
	started_at: time(),
	duration_ms: count(),
	status_code: z.nullable(z.int()),
	error: z.nullable(z.string()),
	error_kind: errorKindSchema,
	succeeded: z.boolean(),
	manual: z.boolean(),
});

export const deliverySchema = z.object({
	id: z.string(),
	event_id: z.string(),
	endpoint_id: z.string(),
	endpoint_url: z.string(),
	endpoint_deleted: z.boolean(),
	action_type: eventType,
	ticket_id: z.nullable(z.string()),
	test: z.boolean(),
	status: z.enum(DELIVERY_STATUSES),
	attempt_count: count(),
	next_attempt_at: z.nullable(time()),
	last_attempt: z.nullable(lastAttemptSchema),
	created_at: time(),
	updated_at: time(),
});

export const deliveryPageSchema = z.object({ deliveries: z.array(deliverySchema), next_cursor: cursorSchema, prev_cursor: cursorSchema });

export const attemptSchema = z.object({
	number: z.nullable(z.int().check(z.minimum(1))),
	manual: z.boolean(),
	started_at: time(),
	duration_ms: count(),
	status_code: z.nullable(z.int()),
	error: z.nullable(z.string()),
	error_kind: errorKindSchema,
	response_body: z.nullable(z.string()),
	succeeded: z.boolean(),
});

export const deliveryDetailSchema = z.object({ ...deliverySchema.shape, attempts: z.array(attemptSchema) });

export const retryResultSchema = z.object({ delivery_status: z.enum([...DELIVERY_STATUSES, "unknown"]), attempt: attemptSchema });

const eventFields = { id: z.string(), action_type: eventType, ticket_id: z.nullable(z.string()), test: z.boolean(), received_at: time() };

export const eventSummarySchema = z.object({ ...eventFields, deliveries: count() });

export const eventPageSchema = z.object({ events: z.array(eventSummarySchema), next_cursor: cursorSchema, prev_cursor: cursorSchema });

export const eventDetailSchema = z.object({ ...eventFields, body: z.string(), deliveries: z.array(deliverySchema) });

export const endpointHealthSchema = z.object({
	endpoint_id: z.string(),
	last_attempt_at: z.nullable(time()),
	last_status_code: z.nullable(z.int()),
	last_succeeded: z.nullable(z.boolean()),
	last_error: z.nullable(z.string()),
	attempts_ok_rate_24h: z.nullable(z.number().check(z.minimum(0), z.maximum(1))),
	attempts_24h: count(),
	retrying: count(),
	failed_24h: count(),
});

export const hourlyEventsSchema = z.object({ hour: time(), events: count() });

export const statsSchema = z.object({
	since: time(),
	events_received_24h: count(),
	deliveries_delivered_24h: count(),
	deliveries_failed_24h: count(),
	delivery_success_rate_24h: z.nullable(z.number().check(z.minimum(0), z.maximum(1))),
	retrying_now: count(),
	failing_endpoints: count(),
	events_per_hour: z.array(hourlyEventsSchema),
	oldest_waiting_at: z.nullable(time()),
	endpoints: z.array(endpointHealthSchema),
});

export type DeliveryView = z.output<typeof deliverySchema>;
export type LastAttemptView = z.output<typeof lastAttemptSchema>;
export type DeliveryPage = z.output<typeof deliveryPageSchema>;
export type AttemptView = z.output<typeof attemptSchema>;
export type DeliveryDetail = z.output<typeof deliveryDetailSchema>;
export type EventSummary = z.output<typeof eventSummarySchema>;
export type EventPage = z.output<typeof eventPageSchema>;
export type EventDetail = z.output<typeof eventDetailSchema>;
export type EndpointHealth = z.output<typeof endpointHealthSchema>;
export type StatsView = z.output<typeof statsSchema>;
