/**
 * The ticket events a helpdesk sends, in SupportBee's own names. This list is
 * the single source every validator, filter and page uses.
 */
export const EVENT_TYPES = [
	"ticket.created",
	"customer.reply.created",
	"agent.reply.created",
	"comment.created",
	"ticket.assigned.to.user",
	"ticket.unassigned.from.user",
	"ticket.assigned.to.team",
	"ticket.unassigned.from.team",
	"ticket.answered",
	"ticket.unanswered",
	"ticket.spammed",
	"ticket.unspammed",
	"ticket.trashed",
	"ticket.untrashed",
	"ticket.archived",
	"ticket.unarchived",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An endpoint subscribed to `ALL_EVENTS` receives every event type. */
export const ALL_EVENTS = "*";

export function isEventType(value: unknown): value is EventType {
	return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}
