/**
 * The webhooks: what Hivepost sends, one per event type with its SupportBee
 * sample (the event catalog), then the four operational messages the
 * operator's endpoints get, each with an example; the headers every delivery
 * carries and what a destination's answer means. Build time only.
 */
import { OPERATIONAL_MESSAGE_SCHEMAS } from "../alerts/messageResponses";
import { ALL_EVENTS, EVENT_TYPES, type EventType } from "../eventTypes";
import type { OperationalEventType } from "../operationalEventTypes";
import { jsonSchema } from "./componentSchemas";
import { type Json, json, ref, type Samples } from "./operations";

export const WEBHOOKS_TAG = {
	name: "Webhooks",
	description: `What Hivepost sends: one webhook per event type, each with its SupportBee sample; this is the event catalog. Every delivery is an HTTP POST of the exact bytes the helpdesk sent (\`Content-Type: application/json\`), signed with the endpoint's own secret (Standard Webhooks), with the endpoint's custom headers. At least once: a receiver can see an event twice, so dedupe on \`webhook-id\`. Order is not guaranteed: use the ticket's own timestamps. The four operational messages (\`endpoint.failing\`, \`endpoint.disabled\`, \`endpoint.recovered\`, \`delivery.failed\`) go to the operator's operational endpoints only, as JSON \`{"type", "timestamp", "data"}\`, signed and retried the same way.`,
};

/** Headers Hivepost sets on every delivery (the endpoint's custom headers come along too), as components/parameters. */
export const WEBHOOK_HEADERS = {
	WebhookId: {
		name: "webhook-id",
		in: "header",
		required: true,
		description: "The event id (`evt_…`): the same for every endpoint and every retry of one event. Dedupe on it.",
		schema: { type: "string" },
	},
	WebhookTimestamp: {
		name: "webhook-timestamp",
		in: "header",
		required: true,
		description: "Unix seconds of this attempt.",
		schema: { type: "string", pattern: "^[0-9]+$" },
	},
	WebhookSignature: {
		name: "webhook-signature",
		in: "header",
		required: true,
		description:
			'`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the endpoint\'s secret (the base64 after `whsec_`); for 24 h after a rotation, also one made with the replaced secret, space separated. Verify with any Standard Webhooks library, over the raw body bytes.',
		schema: { type: "string" },
	},
	UserAgent: {
		name: "User-Agent",
		in: "header",
		required: true,
		description: "`Hivepost/<version>`.",
		schema: { type: "string" },
	},
};

/** What a destination's answer means, as components/responses. */
export const WEBHOOK_RESPONSES = {
	WebhookDelivered: {
		description:
			"Delivered: any 2xx ends the delivery. The response body is read up to 8 KB; its first 120 characters are kept with the attempt.",
	},
	WebhookGone: {
		description:
			"Gone: stop. The delivery fails, the endpoint is disabled (with the reason shown) and its other pending retries are cancelled.",
	},
	WebhookFailed: {
		description:
			"Anything else is a failed attempt: another status (a 3xx too: redirects are never followed), a network error, or no answer within DELIVERY_TIMEOUT_MS. It is retried RETRY_INTERVAL_SECONDS later, up to MAX_RETRIES times; a 429 or 503 with `Retry-After` postpones the next attempt to no earlier than asked (up to 24 h).",
	},
};

/** The SupportBee body of one event type: `payload.action_type` is that type; the other members are those its sample carries. */
function webhookBody(actionType: EventType, sample: unknown): Json {
	const payload = (sample as { payload: Record<string, unknown> }).payload;
	const members = Object.keys(payload).filter((key) => key !== "action_type");
	return {
		type: "object",
		required: ["payload"],
		properties: {
			payload: {
				type: "object",
				required: ["action_type"],
				properties: {
					action_type: { const: actionType },
					...Object.fromEntries(members.map((member) => [member, { type: "object" }])),
				},
				description: `SupportBee's payload, passed through untouched: ${["action_type", ...members].map((member) => `\`${member}\``).join(", ")}.`,
			},
		},
	};
}

const ABOUT = { account: "acme", endpoint_id: "ep_01a24b26a09c75f888bcd4169e5c", url: "https://hooks.acme.example/supportbee" };
const SINCE = "2026-11-20T09:00:00.000Z";

/** Each operational message: when it is sent, and an example. */
const OPERATIONAL: Record<OperationalEventType, { when: string; data: Json }> = {
	"endpoint.failing": {
		when: "An endpoint's automatic attempts failed ALERT_AFTER_FAILURES times in a row (default 5): once per failing streak.",
		data: { ...ABOUT, failing_since: SINCE, consecutive_failures: 5, last_error: "HTTP 503", last_error_kind: "server_error" },
	},
	"endpoint.disabled": {
		when: "Hivepost disabled an endpoint by itself: its destination answered 410 Gone (`disabled_cause` `gone`), or no automatic attempt succeeded for DISABLE_AFTER_SECONDS (`failing`). Not when someone disables it.",
		data: {
			...ABOUT,
			disabled_cause: "failing",
			disabled_reason: "No automatic attempt succeeded for 5 days (DISABLE_AFTER_SECONDS), so Hivepost disabled it.",
		},
	},
	"endpoint.recovered": {
		when: "The first successful attempt after a failing streak that sent `endpoint.failing`.",
		data: { ...ABOUT, failing_since: SINCE },
	},
	"delivery.failed": {
		when: "A delivery used up its automatic attempts (1 + MAX_RETRIES) without a 2xx.",
		data: {
			...ABOUT,
			delivery_id: "dlv_019aa0b1c2d30000a1b2c3d4e5f60718",
			event_id: "evt_019aa0b1c2d30000f0e1d2c3b4a59687",
			ticket_id: "4242",
			attempts: 4,
			last_error: "timed out after 10000 ms",
		},
	},
};

/** The operational messages, sent only to the operator's operational endpoints (/api/operational-endpoints). */
function operationalWebhooks(): [string, Record<string, unknown>][] {
	return Object.entries(OPERATIONAL).map(([type, { when, data }]) => [
		type,
		{
			post: {
				operationId: `send${type.replace(/(^|\.)([a-z])/g, (_, _dot, letter: string) => letter.toUpperCase())}`,
				tags: ["Webhooks"],
				summary: `${type} (operational)`,
				description: `${when} Sent to each enabled operational endpoint whose \`events\` take it, signed with that endpoint's secret; never about an operational endpoint itself. \`data.account\` is the account's uid.`,
				parameters: Object.keys(WEBHOOK_HEADERS).map((name) => ref("parameters", name)),
				requestBody: {
					required: true,
					content: json(jsonSchema(OPERATIONAL_MESSAGE_SCHEMAS[type as OperationalEventType], "output"), {
						type,
						timestamp: "2026-11-20T09:41:07.000Z",
						data,
					}),
				},
				responses: { "2XX": ref("responses", "WebhookDelivered"), default: ref("responses", "WebhookFailed") },
			},
		},
	]);
}

export function webhooks(samples: Samples): Record<string, Record<string, unknown>> {
	return Object.fromEntries([...ticketWebhooks(samples), ...operationalWebhooks()]);
}

function ticketWebhooks(samples: Samples): [string, Record<string, unknown>][] {
	return EVENT_TYPES.map((actionType) => {
		const sample: unknown = JSON.parse(samples[actionType]);
		return [
			actionType as string,
			{
				post: {
					operationId: `deliver${actionType.replace(/(^|\.)([a-z])/g, (_, _dot, letter: string) => letter.toUpperCase())}`,
					tags: ["Webhooks"],
					summary: `${actionType}`,
					description: `Sent for every \`${actionType}\` event to each enabled endpoint subscribed to \`${actionType}\` or to \`${ALL_EVENTS}\`.`,
					parameters: Object.keys(WEBHOOK_HEADERS).map((name) => ref("parameters", name)),
					requestBody: { required: true, content: json(webhookBody(actionType, sample), sample) },
					responses: {
						"2XX": ref("responses", "WebhookDelivered"),
						"410": ref("responses", "WebhookGone"),
						default: ref("responses", "WebhookFailed"),
					},
				},
			},
		];
	});
}
