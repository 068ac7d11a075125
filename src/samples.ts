/**
 * One realistic SupportBee payload per event type: what "Send test event"
 * delivers, and the fixtures the tests send. The JSON files are the one copy.
 */
import type { EventType } from "./events";
import agentReplyCreated from "./samples/supportbee/agent.reply.created.json";
import commentCreated from "./samples/supportbee/comment.created.json";
import customerReplyCreated from "./samples/supportbee/customer.reply.created.json";
import ticketAnswered from "./samples/supportbee/ticket.answered.json";
import ticketArchived from "./samples/supportbee/ticket.archived.json";
import ticketAssignedToTeam from "./samples/supportbee/ticket.assigned.to.team.json";
import ticketAssignedToUser from "./samples/supportbee/ticket.assigned.to.user.json";
import ticketCreated from "./samples/supportbee/ticket.created.json";
import ticketSpammed from "./samples/supportbee/ticket.spammed.json";
import ticketTrashed from "./samples/supportbee/ticket.trashed.json";
import ticketUnanswered from "./samples/supportbee/ticket.unanswered.json";
import ticketUnarchived from "./samples/supportbee/ticket.unarchived.json";
import ticketUnassignedFromTeam from "./samples/supportbee/ticket.unassigned.from.team.json";
import ticketUnassignedFromUser from "./samples/supportbee/ticket.unassigned.from.user.json";
import ticketUnspammed from "./samples/supportbee/ticket.unspammed.json";
import ticketUntrashed from "./samples/supportbee/ticket.untrashed.json";

const SAMPLES: Record<EventType, unknown> = {
	"ticket.created": ticketCreated,
	"customer.reply.created": customerReplyCreated,
	"agent.reply.created": agentReplyCreated,
	"comment.created": commentCreated,
	"ticket.assigned.to.user": ticketAssignedToUser,
	"ticket.unassigned.from.user": ticketUnassignedFromUser,
	"ticket.assigned.to.team": ticketAssignedToTeam,
	"ticket.unassigned.from.team": ticketUnassignedFromTeam,
	"ticket.answered": ticketAnswered,
	"ticket.unanswered": ticketUnanswered,
	"ticket.spammed": ticketSpammed,
	"ticket.unspammed": ticketUnspammed,
	"ticket.trashed": ticketTrashed,
	"ticket.untrashed": ticketUntrashed,
	"ticket.archived": ticketArchived,
	"ticket.unarchived": ticketUnarchived,
};

/** The sample body of an event type, as text (tab-indented, as the files are). */
export function sampleEvent(actionType: EventType): string {
	return `${JSON.stringify(SAMPLES[actionType], null, "\t")}\n`;
}
