/**
 * What the API answers about endpoints, as zod schemas: the view types
 * endpointStore.ts and deliveryActions.ts return are derived from them, and
 * the OpenAPI document is generated from them (described at build time, in
 * api/endpoints.openapi.ts). Imported as types only by the Worker.
 */
import * as z from "zod/mini";
import { DISABLED_CAUSES } from "../db/schema";
import { deliveryStateSchema } from "../delivery/deliveryStateResponse";
import { ERROR_KINDS } from "../delivery/errorKinds";
import { ALL_EVENTS, EVENT_TYPES } from "../eventTypes";
import { count, time } from "../lib/schemaParts";

export const endpointStatusSchema = z.object({
	status: z.enum(["working", "failing", "disabled"]),
	failing_since: z.nullable(time()),
	consecutive_failures: count(),
	last_error: z.nullable(z.string()),
	last_error_kind: z.nullable(z.enum(ERROR_KINDS)),
});

export const endpointFields = {
	id: z.string(),
	url: z.string(),
	events: z.array(z.enum([ALL_EVENTS, ...EVENT_TYPES])),
	enabled: z.boolean(),
	disabled_reason: z.nullable(z.string()),
	disabled_cause: z.nullable(z.enum(DISABLED_CAUSES)),
	disabled_at: z.nullable(time()),
	headers: z.record(z.string(), z.string()),
	health: endpointStatusSchema,
	delivery_state: deliveryStateSchema,
	created_at: time(),
	updated_at: time(),
};

export const endpointSchema = z.object(endpointFields);

export const signingSecretSchema = z.string();

export const createdEndpointSchema = z.object({ ...endpointFields, secret: signingSecretSchema });

export const endpointListSchema = z.object({ endpoints: z.array(endpointSchema) });

export const replacedEndpointsSchema = z.object({
	endpoints: z.array(z.object({ ...endpointFields, secret: z.optional(signingSecretSchema) })),
});

export const secretSchema = z.object({ secret: signingSecretSchema, previous_secret_expires_at: z.nullable(time()) });

export const testEventReceiptSchema = z.object({ event_id: z.string(), delivery_id: z.string() });

export const redeliveredSchema = z.object({ redelivered: count(), more: z.boolean() });

export const wouldRedeliverSchema = z.object({ would_redeliver: count(), more: z.boolean() });

/** An endpoint as the API shows it: header values masked; `secret` only where it was just created. */
export type EndpointView = z.output<typeof replacedEndpointsSchema>["endpoints"][number];
export type SecretView = z.output<typeof secretSchema>;
export type TestEventReceipt = z.output<typeof testEventReceiptSchema>;
export type EndpointStatusView = z.output<typeof endpointStatusSchema>;
