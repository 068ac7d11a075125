/**
 * GET /api/openapi.json: the admin API as an OpenAPI 3.1 document. Request
 * bodies and query parameters are generated from the zod schemas that
 * validate them, so the document cannot drift from the code. Public: it
 * holds no data.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import pkg from "../../../package.json";
import {
	createEndpointSchema,
	deliveryFilterSchema,
	redeliverSchema,
	replaceEndpointsSchema,
	testEventSchema,
	updateEndpointSchema,
} from "./schemas";

function jsonSchema(schema: z.ZodMiniType) {
	const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
	return rest;
}

function body(schema: z.ZodMiniType) {
	return { required: true, content: { "application/json": { schema: jsonSchema(schema) } } };
}

function queryParameters(schema: z.ZodMiniObject) {
	const { properties = {} } = jsonSchema(schema) as { properties?: Record<string, object> };
	return Object.entries(properties).map(([name, property]) => ({ name, in: "query", required: false, schema: property }));
}

const idParameter = (what: string) => ({
	name: "id",
	in: "path",
	required: true,
	schema: { type: "string" },
	description: `the ${what}'s id`,
});

const error = { description: "The one error shape", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };

function reply(description: string, status = "200") {
	return { [status]: { description }, "400": error, "401": error, "404": error, "409": error, "422": error };
}

function operation(summary: string, responses: object, extra: object = {}) {
	return { summary, security: [{ bearer: [] }, { session: [] }], responses, ...extra };
}

export function openApiDocument() {
	return {
		openapi: "3.1.0",
		info: {
			title: "Hivepost admin API",
			version: pkg.version,
			description:
				"Manage endpoints and inspect deliveries. Authenticate with `Authorization: Bearer <ADMIN_TOKEN>` (or the admin page's session).",
		},
		components: {
			securitySchemes: {
				bearer: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN" },
				session: { type: "apiKey", in: "cookie", name: "hivepost_session" },
			},
			schemas: {
				Error: {
					type: "object",
					required: ["error"],
					properties: { error: { type: "string" }, fields: { type: "object", additionalProperties: { type: "string" } } },
				},
			},
		},
		paths: {
			"/api/endpoints": {
				get: operation("List endpoints", reply("`{endpoints: [...]}`; header values are masked")),
				post: operation("Register an endpoint", reply("The endpoint with its signing secret (shown only here)", "201"), {
					requestBody: body(createEndpointSchema),
				}),
				put: operation("Replace the whole set (SupportBee's Update App)", reply("`{endpoints: [...]}`; new ones carry their secret"), {
					requestBody: body(replaceEndpointsSchema),
				}),
			},
			"/api/endpoints/{id}": {
				parameters: [idParameter("endpoint")],
				get: operation("One endpoint", reply("The endpoint")),
				patch: operation("Edit url, enabled, events or headers (a null header value removes it)", reply("The endpoint"), {
					requestBody: body(updateEndpointSchema),
				}),
				delete: operation("Delete; unfinished deliveries are cancelled, history kept", reply("Deleted", "204")),
			},
			"/api/endpoints/{id}/secret": {
				parameters: [idParameter("endpoint")],
				get: operation("Reveal the signing secret (Cache-Control: no-store)", reply("`{secret, previous_secret_expires_at}`")),
			},
			"/api/endpoints/{id}/rotate-secret": {
				parameters: [idParameter("endpoint")],
				post: operation("New signing secret; the old one keeps signing for 24 h", reply("`{secret, previous_secret_expires_at}`")),
			},
			"/api/endpoints/{id}/test": {
				parameters: [idParameter("endpoint")],
				post: operation("Send a sample event of a type to this endpoint", reply("`{event_id, delivery_id}`", "202"), {
					requestBody: body(testEventSchema),
				}),
			},
			"/api/endpoints/{id}/redeliver": {
				parameters: [idParameter("endpoint")],
				post: operation(
					"Start every failed delivery since a time over, with a fresh retry budget",
					reply("`{redelivered: <count>}`", "202"),
					{
						requestBody: body(redeliverSchema),
					},
				),
			},
			"/api/deliveries": {
				get: operation("Deliveries, newest first, 50 a page", reply("`{deliveries: [...], next_cursor}`"), {
					parameters: queryParameters(deliveryFilterSchema),
				}),
			},
			"/api/deliveries/{id}": {
				parameters: [idParameter("delivery")],
				get: operation("One delivery with every attempt", reply("The delivery and its `attempts`")),
			},
			"/api/deliveries/{id}/retry": {
				parameters: [idParameter("delivery")],
				post: operation("Retry now: one manual attempt, outside the automatic budget", reply("`{delivery_status, attempt}`")),
			},
			"/api/events/{id}": {
				parameters: [idParameter("event")],
				get: operation("One event: its exact body and its deliveries", reply("The event")),
			},
			"/api/stats": { get: operation("The last 24 h and every endpoint's health", reply("Counts, hourly series, health")) },
		},
	};
}

export const openApiRoute = new Hono().get("/", (c) => c.json(openApiDocument()));
