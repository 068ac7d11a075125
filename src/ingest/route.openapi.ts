/**
 * The OpenAPI description of ingest (ingest/route.ts): its operation, the
 * SupportBee body it takes, and what the members of its receipt mean. Build
 * time only: the Worker never imports it (openapi/build.ts does).
 */
import * as z from "zod/mini";
import { EVENT_TYPES } from "../eventTypes";
import { describeMembers, type Operation, type ResourceDoc } from "../openapi/operations";
import { ingestReceiptSchema } from "./receiptResponse";

/** The body ingest takes, as the document shows it (ingest/parseEvent.ts reads it by hand, keeping its exact bytes). */
export const supportBeeEventSchema = z.looseObject({
	payload: z
		.looseObject({ action_type: z.enum(EVENT_TYPES) })
		.check(z.describe("The rest of the payload (`company`, `ticket`, `reply`, `agent`, …) is passed through untouched.")),
});

const INGEST_CHECKS =
	"Checks, in this order; each failure stores and queues nothing: 503 INGEST_TOKEN not set → 401 token → 404 unknown account (per-account route) → 415 content type → 413 size → 400 not UTF-8 → 503 malformed INGEST_SIGNING_SECRET → 401 signature (signed ingest) → 400 not JSON, no `payload` object or no `action_type` → 422 unknown `action_type` → 422 `Idempotency-Key` (or a signed `webhook-id`) too long → 409 signed `webhook-id` already accepted for another account → 409 key reused with another body.";

const signatureHeader = (name: string, description: string) => ({
	name,
	in: "header",
	required: false,
	description,
	schema: { type: "string" },
});

const ingestEvent: Operation = {
	method: "post",
	path: "/events",
	id: "ingestEvent",
	tag: "Ingest",
	summary: "Accept a helpdesk event",
	description: `The body is SupportBee's \`{"payload": {"action_type": "<event>", …}}\`, at most 256 KB of UTF-8 (a leading BOM is accepted), kept byte for byte: every delivery carries exactly these bytes. The 202 is sent only after the event and all its deliveries are committed in one transaction. ${INGEST_CHECKS}`,
	parameters: [
		{
			name: "Idempotency-Key",
			in: "header",
			required: false,
			description:
				"Repeat a request with the same key and body within 24 h and you get 200 with the original answer; nothing new is created or sent. With signed ingest the `webhook-id` is the key instead.",
			schema: { type: "string", maxLength: 255 },
		},
		signatureHeader(
			"webhook-id",
			"Signed ingest only (INGEST_SIGNING_SECRET set): the message id. A repeat to the same account is the same event; one another account accepted in the last 5 minutes is refused (409 `idempotency_conflict`), since the signature does not cover the path.",
		),
		signatureHeader("webhook-timestamp", "Signed ingest only: Unix seconds, at most 5 minutes from now."),
		signatureHeader(
			"webhook-signature",
			'Signed ingest only: `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with INGEST_SIGNING_SECRET.',
		),
	],
	body: "SupportBeeEvent",
	bodyExample: "ticket.created",
	success: {
		200: { description: "A repeat (same `Idempotency-Key` and body within 24 h): the original answer.", schema: "IngestReceipt" },
		202: { description: "Stored, with one delivery per enabled endpoint subscribed to the event.", schema: "IngestReceipt" },
	},
	errors: [
		"unsupported_media_type",
		"payload_too_large",
		"invalid_utf8",
		"invalid_signature",
		"invalid_json",
		"missing_field",
		"unknown_event_type",
		"validation_failed",
		"idempotency_conflict",
	],
};

function describeFields(): void {
	describeMembers(ingestReceiptSchema, {
		event_id: "The event's id (`evt_…`): every delivery of it carries it as `webhook-id`.",
		deliveries: "Enabled endpoints subscribed to the event: one delivery each.",
	});
}

export const ingestDoc: ResourceDoc = {
	tag: { name: "Ingest", description: "What the helpdesk calls: one ticket event in, one delivery per subscribed endpoint out." },
	operations: [ingestEvent],
	describeFields,
};
