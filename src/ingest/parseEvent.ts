/**
 * Reads a helpdesk event body: `{"payload": {"action_type": "<event>", …}}`,
 * SupportBee's shape, and the ticket it is about (`payload.ticket.id`, when
 * there is one). Unreadable input is a 400; an unknown event a 422.
 */
import { EVENT_TYPES, type EventType, isEventType } from "../eventTypes";
import { HttpError } from "../http/errors";

const SHAPE = 'Send a JSON object like {"payload": {"action_type": "ticket.created", ...}}.';

/** The longest ticket id kept: SupportBee's are numbers; anything longer is not an id. */
const MAX_TICKET_ID_LENGTH = 64;

export function parseEvent(text: string): { actionType: EventType; ticketId: string | null } {
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
	return { actionType: payload.action_type, ticketId: ticketIdOf(payload.ticket) };
}

/** `payload.ticket.id` as text (SupportBee's ids are numbers), for finding a ticket's events; null when there is none. */
function ticketIdOf(ticket: unknown): string | null {
	const id = isObject(ticket) ? ticket.id : undefined;
	const text = typeof id === "number" && Number.isFinite(id) ? String(id) : typeof id === "string" ? id.trim() : "";
	return text && text.length <= MAX_TICKET_ID_LENGTH ? text : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}
