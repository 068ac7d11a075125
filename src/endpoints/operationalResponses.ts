/**
 * What the API answers about operational endpoints, as zod schemas (the view
 * type is derived from them; the OpenAPI document is generated from them, in
 * api/operationalEndpoints.openapi.ts). Imported as types only by the Worker.
 */
import * as z from "zod/mini";
import { ALL_EVENTS } from "../eventTypes";
import { time } from "../lib/schemaParts";
import { OPERATIONAL_EVENT_TYPES } from "../operationalEventTypes";
import { endpointStatusSchema, signingSecretSchema } from "./endpointResponses";

const operationalEndpointFields = {
	id: z.string(),
	url: z.string(),
	events: z.array(z.enum([ALL_EVENTS, ...OPERATIONAL_EVENT_TYPES])),
	enabled: z.boolean(),
	disabled_reason: z.nullable(z.string()),
	health: endpointStatusSchema,
	created_at: time(),
	updated_at: time(),
};

export const operationalEndpointSchema = z.object(operationalEndpointFields);

export const createdOperationalEndpointSchema = z.object({ ...operationalEndpointFields, secret: signingSecretSchema });

export const operationalEndpointListSchema = z.object({ endpoints: z.array(operationalEndpointSchema) });

/** An operational endpoint as the API shows it; `secret` only where it was just created. */
export type OperationalEndpointView = z.output<typeof operationalEndpointSchema> & { secret?: string };
