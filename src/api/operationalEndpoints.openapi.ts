/**
 * The OpenAPI description of /api/operational-endpoints
 * (api/operationalEndpoints.ts): its operations, and what the members of its
 * requests and responses mean. Build time only (openapi/build.ts imports it).
 */

import { createOperationalEndpointSchema, updateOperationalEndpointSchema } from "../endpoints/operational";
import { operationalEndpointSchema } from "../endpoints/operationalResponses";
import { ALL_EVENTS } from "../eventTypes";
import { MAX_BODY_BYTES } from "../http/bodyLimit";
import { bodyOver, describeMembers, noStore, type ResourceDoc, ref } from "../openapi/operations";
import { OPERATIONAL_EVENT_TYPES } from "../operationalEventTypes";

const TAG = "Operational endpoints";
const PATH = "/api/operational-endpoints";

function describeFields(): void {
	const eventsText = `Message types to receive (${OPERATIONAL_EVENT_TYPES.map((type) => `\`${type}\``).join(", ")}), or \`["${ALL_EVENTS}"]\` for all; at least one.`;
	describeMembers(createOperationalEndpointSchema, {
		url: "An http(s) URL of a public destination, checked as an endpoint's.",
		events: `${eventsText} Default: all.`,
	});
	describeMembers(updateOperationalEndpointSchema, {
		url: "A new URL; the secret and history are kept.",
		enabled: "false: it receives nothing (its pending and retrying messages are cancelled); true enables it and clears its failing streak.",
		events: eventsText,
	});
	describeMembers(operationalEndpointSchema, {
		id: "The endpoint's id (`ep_…`).",
		url: "The destination, in canonical form.",
		events: 'The message types it receives, or `["*"]` for all.',
		enabled: "Disabled endpoints receive nothing.",
		disabled_reason: ["Null unless Hivepost disabled it by itself.", "Why Hivepost disabled it (410 Gone, or failing too long)."],
		health: "Its own status. An operational endpoint's failures send no message (there would be nowhere to send it).",
		created_at: "When it was registered.",
		updated_at: "When it last changed.",
	});
}

export const operationalEndpointsDoc: ResourceDoc = {
	tag: {
		name: TAG,
		description:
			"Where the operator receives Hivepost's operational messages (see the webhooks `endpoint.failing`, `endpoint.disabled`, `endpoint.recovered`, `delivery.failed`), signed like any delivery with the endpoint's own secret. The operator's own: no account has them.",
	},
	operations: [
		{
			method: "get",
			path: PATH,
			id: "listOperationalEndpoints",
			tag: TAG,
			summary: "List operational endpoints",
			success: { 200: { description: "The operational endpoints, in the order they were added.", schema: "OperationalEndpointList" } },
		},
		{
			method: "post",
			path: PATH,
			id: "createOperationalEndpoint",
			tag: TAG,
			summary: "Register an operational endpoint",
			description: 'Registers a URL for operational messages; `events` defaults to `["*"]`. The response carries its signing `secret`.',
			body: "OperationalEndpointCreate",
			success: { 201: { description: "The endpoint, with its signing secret.", schema: "CreatedOperationalEndpoint" } },
			errors: ["invalid_json", "missing_field", "validation_failed", "destination_refused", "url_taken", "endpoint_limit"],
			notes: { payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint) },
		},
		{
			method: "get",
			path: `${PATH}/{id}`,
			id: "getOperationalEndpoint",
			tag: TAG,
			summary: "Get an operational endpoint",
			parameters: [ref("parameters", "EndpointId")],
			success: { 200: { description: "The endpoint.", schema: "OperationalEndpoint" } },
			errors: ["not_found"],
		},
		{
			method: "patch",
			path: `${PATH}/{id}`,
			id: "updateOperationalEndpoint",
			tag: TAG,
			summary: "Edit an operational endpoint",
			description: "Changes only the members given.",
			parameters: [ref("parameters", "EndpointId")],
			body: "OperationalEndpointUpdate",
			success: { 200: { description: "The endpoint as changed.", schema: "OperationalEndpoint" } },
			errors: ["invalid_json", "not_found", "validation_failed", "destination_refused", "url_taken", "concurrent_change"],
			notes: { payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint) },
		},
		{
			method: "delete",
			path: `${PATH}/{id}`,
			id: "deleteOperationalEndpoint",
			tag: TAG,
			summary: "Delete an operational endpoint",
			description: "Its pending and retrying messages are cancelled.",
			parameters: [ref("parameters", "EndpointId")],
			success: { 204: { description: "Deleted." } },
			errors: ["not_found"],
		},
		{
			method: "post",
			path: `${PATH}/{id}/rotate-secret`,
			id: "rotateOperationalEndpointSecret",
			tag: TAG,
			summary: "Rotate an operational endpoint's signing secret",
			description: "A new secret; the replaced one keeps signing alongside it for 24 hours.",
			parameters: [ref("parameters", "EndpointId")],
			success: { 200: { description: "The new secret.", schema: "Secret", headers: noStore } },
			errors: ["not_found", "concurrent_change"],
		},
	],
	describeFields,
};
