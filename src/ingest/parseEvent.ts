/**
 * Reads a helpdesk event body: `{"payload": {"action_type": "<event>", …}}`,
 * SupportBee's shape. Unreadable input is a 400; an unknown event a 422.
 */
import { EVENT_TYPES, type EventType, isEventType } from "../eventTypes";
import { HttpError } from "../http/errors";

const SHAPE = 'Send a JSON object like {"payload": {"action_type": "ticket.created", ...}}.';

export function parseEvent(text: string): { actionType: EventType } {
	let body: unknown;
	try {
		// A leading BOM is allowed but is not JSON; it stays in the stored and delivered text.
		body = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
	} catch {
		throw new HttpError("invalid_json", `The body is not valid JSON. ${SHAPE}`);
	}
	const payload = isObject(body) ? body.payload : undefined;
	if (!isObject(payload)) {
		throw new HttpError("missing_field", `The body has no "payload" object. ${SHAPE}`, { payload: "required object" });
	}
	if (payload.action_type === undefined) {
		throw new HttpError("missing_field", `The payload has no "action_type". ${SHAPE}`, { "payload.action_type": "required" });
	}
	if (!isEventType(payload.action_type)) {
		throw new HttpError(
			"unknown_event_type",
			`Unknown action_type ${JSON.stringify(payload.action_type)}. Use one of: ${EVENT_TYPES.join(", ")}.`,
			{
				"payload.action_type": "unknown event type",
			},
		);
	}
	return { actionType: payload.action_type };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}
