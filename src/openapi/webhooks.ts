/**
 * The webhooks: what Hivepost sends, one per event type with its SupportBee
 * sample (the event catalog), the headers every delivery carries and what a
 * destination's answer means. Build time only.
 */
import { ALL_EVENTS, EVENT_TYPES, type EventType } from "../eventTypes";
import { type Json, json, ref, type Samples } from "./operations";

export const WEBHOOKS_TAG = {
	name: "Webhooks",
	description: `What Hivepost sends: one webhook per event type, each with its SupportBee sample; this is the event catalog. Every delivery is an HTTP POST of the exact bytes the helpdesk sent (\`Content-Type: application/json\`), signed with the endpoint's own secret (Standard Webhooks), with the endpoint's custom headers. At least once: a receiver can see an event twice, so dedupe on \`webhook-id\`. Order is not guaranteed: use the ticket's own timestamps.`,
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

export function webhooks(samples: Samples): Record<string, Record<string, unknown>> {
	return Object.fromEntries(
		EVENT_TYPES.map((actionType) => {
			const sample: unknown = JSON.parse(samples[actionType]);
			return [
				actionType,
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
		}),
	);
}
