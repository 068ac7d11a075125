/**
 * The OpenAPI description of …/endpoints (api/endpoints.ts): its operations,
 * and what the members of its requests and responses mean. Build time only:
 * the Worker never imports it (openapi/build.ts does).
 */
import { deliveryStateSchema } from "../delivery/deliveryStateResponse";
import { MAX_CUSTOM_HEADERS, MAX_HEADER_VALUE_LENGTH } from "../endpoints/customHeaders";
import { DEFAULT_ACCOUNT_LIST_LIMIT } from "../endpoints/endpointChanges";
import {
	createEndpointSchema,
	redeliverSchema,
	replaceEndpointsSchema,
	testEventSchema,
	updateEndpointSchema,
} from "../endpoints/endpointRequests";
import {
	endpointSchema,
	endpointStatusSchema,
	redeliveredSchema,
	replacedEndpointsSchema,
	secretSchema,
	signingSecretSchema,
	testEventReceiptSchema,
	wouldRedeliverSchema,
} from "../endpoints/endpointResponses";
import { REDELIVER_LIMIT } from "../endpoints/redelivery";
import { ALL_EVENTS } from "../eventTypes";
import { MAX_BODY_BYTES } from "../http/bodyLimit";
import { bodyOver, describe, describeMembers, noStore, type ResourceDoc, ref } from "../openapi/operations";

function describeFields(): void {
	const eventsText = `Event types to receive, or \`["${ALL_EVENTS}"]\` for all; at least one.`;
	const headersText = `Custom request headers for the receiver's own auth: name → value, or null to remove it. At most ${MAX_CUSTOM_HEADERS} headers; values up to ${MAX_HEADER_VALUE_LENGTH} characters of visible ASCII, spaces and tabs; not the headers Hivepost sets itself (\`Content-Type\`, \`User-Agent\`, \`webhook-*\`, …) nor hop-by-hop ones. Values are write-only.`;
	describeMembers(createEndpointSchema, {
		url: "An http(s) URL of a public destination, at most 2,048 characters, without user name or password.",
		events: `${eventsText} Default: all.`,
		headers: headersText,
	});
	describeMembers(updateEndpointSchema, {
		url: "A new URL; the secret and history are kept.",
		enabled:
			"false cancels its pending and retrying deliveries (Redeliver with `cancelled` sends them again) and records `disabled_cause` `manual`; true clears `disabled_reason`, `disabled_cause` and `disabled_at`.",
		events: eventsText,
		headers: `${headersText} Only the names given change.`,
	});
	describeMembers(replaceEndpointsSchema, { urls: "The URLs, separated by commas, semicolons or white space." });
	describeMembers(testEventSchema, { action_type: "The event type whose sample payload is sent." });
	describeMembers(redeliverSchema, {
		since: "What to look at: deliveries created, and events received, at or after this time.",
		include: `What to send again; default \`["failed"]\`. \`failed\`, \`retrying\` (not in an attempt right now) and \`cancelled\` deliveries start over in place, as \`pending\` with a fresh set of automatic attempts, their history kept; \`missed\`: events that are not test events, received at or after both \`since\` and the endpoint's creation, that its event filter takes now and that have no delivery to it, each get one.`,
		enable: "true: a disabled endpoint is enabled first (otherwise a disabled endpoint is a 409).",
		dry_run: "true: count what this call would send (200 `would_redeliver`), and change nothing.",
	});

	describeMembers(deliveryStateSchema, {
		state:
			"Why the endpoint's deliveries wait, if they do. `healthy`: nothing holds them. `slow`: an attempt was still unanswered after the slow threshold (a second, or half of DELIVERY_TIMEOUT_MS if shorter), so its deliveries go through the isolation lane until `until`. `isolated`: an attempt got no answer within DELIVERY_TIMEOUT_MS (unresponsive), same lane and period. `saturated`: a due delivery has waited over a minute for its attempt (shown instead of the others): more arrives than the endpoint takes within its bound of 75 requests in flight (3 per lane invocation). `throttled`: the same wait, while the account is over its share (bursting over FAIR_RATE, or with work held back by its pacer): the account's own backlog, drained at its share of the lanes; `until` is null.",
		until: [
			"When the isolation ends; null when not isolated, and when throttled.",
			"When the isolation ends (the endpoint is re-checked then).",
		],
		in_flight: "Requests from Hivepost to this endpoint in flight now.",
		oldest_waiting_at: ["Null when no due delivery waits.", "When the longest-waiting due delivery became due."],
	});
	// The members every view of an endpoint shares.
	describeMembers(endpointSchema, {
		id: "The endpoint's id (`ep_…`).",
		url: "The destination, in canonical form.",
		events: 'The event types it receives, or `["*"]` for all.',
		enabled: "Disabled endpoints receive nothing; disabling cancels their pending and retrying deliveries.",
		disabled_reason: "Why Hivepost disabled it by itself, in words (the destination answered 410 Gone); null otherwise.",
		disabled_cause: [
			"Null while enabled, and for an endpoint the previous release disabled while 0.3.0 was being deployed (after its migrations, before its code).",
			"`gone`: the destination answered 410 Gone; `manual`: someone disabled it; `failing`: no automatic attempt succeeded for DISABLE_AFTER_SECONDS.",
		],
		disabled_at: [
			"Null while enabled, and when the time is not known: an endpoint disabled before 0.3.0 whose 410 reason or audit record holds none, or one the previous release disabled during the upgrade.",
			"When it was disabled.",
		],
		health: "One status: `working`, `failing` (its newest automatic attempt failed), or `disabled`. Counted from the upgrade to 0.3.0 on.",
		headers: "Custom request headers: name (lower case) → a masked hint of the value. Values are write-only.",
		created_at: "When it was registered.",
		updated_at: "When it last changed.",
	});
	describe(
		signingSecretSchema,
		"The signing secret, `whsec_<base64 of 32 random bytes>`: verify deliveries with any Standard Webhooks library.",
	);
	describeMembers(replacedEndpointsSchema, {
		endpoints: "The whole set in the order given; only the endpoints created by this request carry their `secret`.",
	});
	describeMembers(secretSchema, {
		previous_secret_expires_at: [
			"When the last secret replaced by a rotation stops signing; null when none signs any more.",
			"Until then deliveries also carry signatures made with the secrets replaced by rotations.",
		],
	});
	describeMembers(testEventReceiptSchema, {
		event_id: "The new test event's id (`evt_…`): the `webhook-id` the endpoint receives.",
		delivery_id: "Its one delivery (`dlv_…`).",
	});
	describeMembers(redeliveredSchema, {
		redelivered: `Deliveries started over and created (at most ${REDELIVER_LIMIT.toLocaleString("en")} a call).`,
		more: "More remain beyond this call's limit: call again.",
	});
	describeMembers(wouldRedeliverSchema, {
		would_redeliver: `What the same call without \`dry_run\` would start over and create now (at most ${REDELIVER_LIMIT.toLocaleString("en")}).`,
		more: "More would remain beyond its limit.",
	});
	describeMembers(endpointStatusSchema, {
		status:
			"`working`: its newest automatic attempt succeeded (or it has had none); `failing`: it failed; `disabled`: see `disabled_cause`.",
		failing_since: [
			"Null while no failing streak runs (a disabled endpoint keeps the one it was disabled in).",
			"When the first failed automatic attempt of the streak started.",
		],
		consecutive_failures: "Automatic attempts failed in a row since the last success (Retry now is not counted).",
		last_error: ["Null when the newest automatic attempt succeeded.", "The newest automatic attempt's error."],
		last_error_kind: ["Null when the newest automatic attempt succeeded.", "Its kind (see the delivery log's `error_kind`)."],
	});
}

export const endpointsDoc: ResourceDoc = {
	tag: {
		name: "Endpoints",
		description:
			"The URLs an account's events are delivered to: register, replace (SupportBee's Update App), edit, delete; signing secrets; test events; redelivery.",
	},
	operations: [
		{
			method: "get",
			path: "/endpoints",
			id: "listEndpoints",
			tag: "Endpoints",
			summary: "List endpoints",
			description: "Live endpoints in the order they were added. Header values are masked; secrets are not shown.",
			success: { 200: { description: "The endpoints.", schema: "EndpointList" } },
		},
		{
			method: "post",
			path: "/endpoints",
			id: "createEndpoint",
			tag: "Endpoints",
			summary: "Register an endpoint",
			description:
				'Registers a URL. `events` defaults to `["*"]` (every event type). The response carries the endpoint\'s signing `secret`; afterwards it is shown only on request (`GET …/endpoints/{id}/secret`).',
			body: "EndpointCreate",
			success: { 201: { description: "The endpoint, with its signing secret.", schema: "CreatedEndpoint" } },
			errors: ["invalid_json", "missing_field", "validation_failed", "destination_refused", "url_taken"],
			twinErrors: ["endpoint_limit"],
			notes: { payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint) },
		},
		{
			method: "put",
			path: "/endpoints",
			id: "replaceEndpoints",
			tag: "Endpoints",
			summary: "Replace the whole set (SupportBee's Update App)",
			description:
				"The list becomes the account's whole set of endpoints. URLs are split on white space, on `;`, and on `,` only where the next non-blank text starts with `http://` or `https://` (any case) or the list ends, so `?ids=1,2` stays in its URL; they are compared in canonical form. Unchanged URLs keep their id, events, headers, secret and history; removed ones are deleted (their pending and retrying deliveries cancelled); new ones are created, subscribed to every event. A list of more URLs than the account may have is a 422 before any URL is parsed; any refused URL is a 422 naming it; either way nothing changes. One transaction.",
			body: "EndpointsReplace",
			success: { 200: { description: "The whole set; the endpoints created carry their `secret`.", schema: "ReplacedEndpoints" } },
			errors: ["invalid_json", "missing_field", "validation_failed", "destination_refused", "url_taken", "endpoint_limit"],
			notes: {
				payload_too_large: bodyOver(MAX_BODY_BYTES.updateApp),
				url_taken: "A concurrent change registered one of the URLs first; nothing changed.",
				endpoint_limit: `The list holds more URLs than the account may have endpoints (MAX_ENDPOINTS_PER_ACCOUNT; for the default account, ${DEFAULT_ACCOUNT_LIST_LIMIT}); \`fields\` names \`urls\`. Counted before any URL is parsed.`,
			},
		},
		{
			method: "get",
			path: "/endpoints/{id}",
			id: "getEndpoint",
			tag: "Endpoints",
			summary: "Get an endpoint",
			parameters: [ref("parameters", "EndpointId")],
			success: { 200: { description: "The endpoint.", schema: "Endpoint" } },
			errors: ["not_found"],
		},
		{
			method: "patch",
			path: "/endpoints/{id}",
			id: "updateEndpoint",
			tag: "Endpoints",
			summary: "Edit an endpoint",
			description:
				"Changes only the members given. A new `url` keeps the secret and the history. `enabled: false` cancels its pending and retrying deliveries; `enabled: true` clears `disabled_reason`, `disabled_cause` and `disabled_at`. `headers` changes only the names given: a string sets that header, null removes it.",
			parameters: [ref("parameters", "EndpointId")],
			body: "EndpointUpdate",
			success: { 200: { description: "The endpoint as changed.", schema: "Endpoint" } },
			errors: ["invalid_json", "not_found", "validation_failed", "destination_refused", "url_taken", "concurrent_change"],
			notes: {
				payload_too_large: bodyOver(MAX_BODY_BYTES.endpoint),
				concurrent_change:
					"The endpoint was changed or deleted by someone else between this request's read and its write (`headers` are merged into those read, so a concurrent header edit is never lost): nothing was saved. Read it again and retry.",
			},
		},
		{
			method: "delete",
			path: "/endpoints/{id}",
			id: "deleteEndpoint",
			tag: "Endpoints",
			summary: "Delete an endpoint",
			description: "Its pending and retrying deliveries become `cancelled`; its history is kept.",
			parameters: [ref("parameters", "EndpointId")],
			success: { 204: { description: "Deleted." } },
			errors: ["not_found"],
		},
		{
			method: "get",
			path: "/endpoints/{id}/secret",
			id: "getEndpointSecret",
			tag: "Endpoints",
			summary: "Reveal the signing secret",
			description: "Answered with `Cache-Control: no-store`, like every operator API response.",
			parameters: [ref("parameters", "EndpointId")],
			success: { 200: { description: "The current signing secret.", schema: "Secret", headers: noStore } },
			errors: ["not_found"],
		},
		{
			method: "post",
			path: "/endpoints/{id}/rotate-secret",
			id: "rotateEndpointSecret",
			tag: "Endpoints",
			summary: "Rotate the signing secret",
			description:
				"A new signing secret. For 24 hours every delivery also carries a signature made with the replaced secret (and with any secret replaced before it within its own 24 hours), so receivers can switch without dropping a delivery.",
			parameters: [ref("parameters", "EndpointId")],
			success: { 200: { description: "The new signing secret.", schema: "Secret", headers: noStore } },
			errors: ["not_found", "concurrent_change"],
			notes: {
				concurrent_change:
					"Another rotation (or a delete) came between this request's read and its write: that one's secret is the current one, and nothing was changed here. Read the secret with GET …/secret, or rotate again.",
			},
		},
		{
			method: "post",
			path: "/endpoints/{id}/test",
			id: "sendEndpointTestEvent",
			tag: "Endpoints",
			summary: "Send a test event",
			description:
				"A new event, marked as a test, with that event type's sample SupportBee payload (see the webhooks), delivered to this endpoint only, like any other event. A manual action: it counts against MANUAL_ACTIONS_PER_MINUTE.",
			parameters: [ref("parameters", "EndpointId")],
			body: "TestEventRequest",
			success: { 202: { description: "The test event is stored and its delivery queued.", schema: "TestEventReceipt" } },
			errors: ["invalid_json", "missing_field", "validation_failed", "not_found", "endpoint_disabled", "rate_limited"],
		},
		{
			method: "post",
			path: "/endpoints/{id}/redeliver",
			id: "redeliverEndpointFailures",
			tag: "Endpoints",
			summary: "Redeliver what the endpoint did not get",
			description: `After an outage: the deliveries of this endpoint since \`since\` that \`include\` names start over in place (history kept), and with \`missed\` every event it missed gets a delivery; \`enable\` enables it first. At most ${REDELIVER_LIMIT.toLocaleString("en")} a call: \`more\` says to call again. Calling again sends nothing twice: a delivery started over is \`pending\` until its next attempt, and a missed event gets one delivery. Beyond the account's fair rate they take the bulk lane. A manual action (a dry run is not): it counts against MANUAL_ACTIONS_PER_MINUTE.`,
			parameters: [ref("parameters", "EndpointId")],
			body: "RedeliverRequest",
			success: {
				200: { description: "`dry_run`: what it would send; nothing changed.", schema: "WouldRedeliver" },
				202: { description: "How many deliveries started over or were created, and whether more remain.", schema: "Redelivered" },
			},
			errors: ["invalid_json", "missing_field", "validation_failed", "not_found", "endpoint_disabled", "rate_limited"],
			notes: { endpoint_disabled: "The endpoint is disabled and `enable` is not true." },
		},
	],
	describeFields,
};
