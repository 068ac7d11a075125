/**
 * The operational messages as their receivers get them, as zod schemas: the
 * message type operationalMessages.ts builds is derived from them, and the
 * OpenAPI document's webhooks are generated from them (openapi/webhooks.ts).
 * Imported as types only by the Worker.
 */
import * as z from "zod/mini";
import { ERROR_KINDS } from "../delivery/errorKinds";
import { count, time } from "../lib/schemaParts";

/** What every message tells of: the account (its uid), and the endpoint. */
const about = { account: z.string(), endpoint_id: z.string(), url: z.string() };

const message = <const Type extends string, Data extends z.core.$ZodLooseShape>(type: Type, data: Data) =>
	z.object({ type: z.literal(type), timestamp: time(), data: z.object({ ...about, ...data }) });

export const OPERATIONAL_MESSAGE_SCHEMAS = {
	"endpoint.failing": message("endpoint.failing", {
		failing_since: time(),
		consecutive_failures: count(),
		last_error: z.nullable(z.string()),
		last_error_kind: z.nullable(z.enum(ERROR_KINDS)),
	}),
	"endpoint.disabled": message("endpoint.disabled", { disabled_cause: z.enum(["failing", "gone"]), disabled_reason: z.string() }),
	"endpoint.recovered": message("endpoint.recovered", { failing_since: z.nullable(time()) }),
	"delivery.failed": message("delivery.failed", {
		delivery_id: z.string(),
		event_id: z.string(),
		ticket_id: z.nullable(z.string()),
		attempts: count(),
		last_error: z.nullable(z.string()),
	}),
};

export type OperationalMessage = z.output<(typeof OPERATIONAL_MESSAGE_SCHEMAS)[keyof typeof OPERATIONAL_MESSAGE_SCHEMAS]>;
