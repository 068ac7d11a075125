/**
 * The document's component schemas, by name: the requests' schemas (those
 * that validate them in the Worker) and the responses' (those the view types
 * derive from), turned into JSON Schema by zod at build time, with the
 * descriptions the *.openapi.ts modules added. Build time only.
 */
import * as z from "zod/mini";
import { adminLinkRequestSchema, moveRequestSchema, putAccountSchema } from "../accounts/accountRequests";
import {
	accountMoveSchema,
	accountPageSchema,
	accountSchema,
	accountSummarySchema,
	adminLinkSchema,
	moveStartedSchema,
} from "../accounts/accountResponses";
import { healthSchema } from "../app.openapi";
import { deliveryStateSchema } from "../delivery/deliveryStateResponse";
import {
	createEndpointSchema,
	redeliverSchema,
	replaceEndpointsSchema,
	testEventSchema,
	updateEndpointSchema,
} from "../endpoints/endpointRequests";
import {
	createdEndpointSchema,
	endpointListSchema,
	endpointSchema,
	endpointStatusSchema,
	redeliveredSchema,
	replacedEndpointsSchema,
	secretSchema,
	testEventReceiptSchema,
	wouldRedeliverSchema,
} from "../endpoints/endpointResponses";
import { createOperationalEndpointSchema, updateOperationalEndpointSchema } from "../endpoints/operational";
import {
	createdOperationalEndpointSchema,
	operationalEndpointListSchema,
	operationalEndpointSchema,
} from "../endpoints/operationalResponses";
import { errorBodySchema } from "../http/errorBody";
import { ingestReceiptSchema } from "../ingest/receiptResponse";
import { supportBeeEventSchema } from "../ingest/route.openapi";
import {
	attemptSchema,
	deliveryDetailSchema,
	deliveryPageSchema,
	deliverySchema,
	endpointHealthSchema,
	eventDetailSchema,
	eventPageSchema,
	eventSummarySchema,
	lastAttemptSchema,
	retryResultSchema,
	statsSchema,
} from "../reports/reportResponses";
import type { Json } from "./operations";

export const REQUESTS: Record<string, z.ZodMiniType> = {
	EndpointCreate: createEndpointSchema,
	EndpointUpdate: updateEndpointSchema,
	EndpointsReplace: replaceEndpointsSchema,
	TestEventRequest: testEventSchema,
	RedeliverRequest: redeliverSchema,
	AccountPut: putAccountSchema,
	OperationalEndpointCreate: createOperationalEndpointSchema,
	OperationalEndpointUpdate: updateOperationalEndpointSchema,
	AdminLinkRequest: adminLinkRequestSchema,
	MoveRequest: moveRequestSchema,
	SupportBeeEvent: supportBeeEventSchema,
};

export const RESPONSES: Record<string, z.ZodMiniType> = {
	Error: errorBodySchema,
	DeliveryState: deliveryStateSchema,
	EndpointStatus: endpointStatusSchema,
	Endpoint: endpointSchema,
	CreatedEndpoint: createdEndpointSchema,
	EndpointList: endpointListSchema,
	ReplacedEndpoints: replacedEndpointsSchema,
	Secret: secretSchema,
	TestEventReceipt: testEventReceiptSchema,
	Redelivered: redeliveredSchema,
	WouldRedeliver: wouldRedeliverSchema,
	Delivery: deliverySchema,
	DeliveryPage: deliveryPageSchema,
	Attempt: attemptSchema,
	LastAttempt: lastAttemptSchema,
	DeliveryDetail: deliveryDetailSchema,
	RetryResult: retryResultSchema,
	EventSummary: eventSummarySchema,
	EventPage: eventPageSchema,
	EventDetail: eventDetailSchema,
	EndpointHealth: endpointHealthSchema,
	Stats: statsSchema,
	Account: accountSchema,
	AccountSummary: accountSummarySchema,
	AccountPage: accountPageSchema,
	AdminLink: adminLinkSchema,
	AccountMove: accountMoveSchema,
	MoveStarted: moveStartedSchema,
	OperationalEndpoint: operationalEndpointSchema,
	CreatedOperationalEndpoint: createdOperationalEndpointSchema,
	OperationalEndpointList: operationalEndpointListSchema,
	IngestReceipt: ingestReceiptSchema,
	Health: healthSchema,
};

/** Drops what zod adds that says nothing here: `$schema`/`$id`, the safe-integer bounds of every integer, and the datetime regex beside `format: date-time`. */
function tidy(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(tidy);
	if (typeof value !== "object" || value === null) return value;
	const entries = Object.entries(value).filter(([key, member]) => {
		if (key === "$schema" || key === "$id") return false;
		if (key === "minimum" && member === Number.MIN_SAFE_INTEGER) return false;
		if (key === "maximum" && member === Number.MAX_SAFE_INTEGER) return false;
		if (key === "pattern" && (value as Json).format === "date-time") return false;
		return true;
	});
	return Object.fromEntries(entries.map(([key, member]) => [key, tidy(member)]));
}

export function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): Json {
	return tidy(z.toJSONSchema(schema, { io, unrepresentable: "any" })) as Json;
}

export function componentSchemas(schemas: Record<string, z.ZodMiniType>, io: "input" | "output"): Record<string, Json> {
	const registry = z.registry<{ id: string }>();
	for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
	const { schemas: result } = z.toJSONSchema(registry, { io, unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` });
	return tidy(result) as Record<string, Json>;
}
