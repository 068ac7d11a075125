/** What ingest reads from a body besides its type: the ticket it is about, kept as text so a search finds it. */
import { describe, expect, it } from "vitest";
import { parseEvent } from "../../src/ingest/parseEvent";
import { fixture, ingest, rows } from "../helpers/worker";

const withTicket = (ticket: unknown) => JSON.stringify({ payload: { action_type: "ticket.created", ticket } });

describe("the ticket id", () => {
	it("is payload.ticket.id as text: SupportBee's numbers, or a string as sent", () => {
		expect(parseEvent(withTicket({ id: 90210 })).ticketId).toBe("90210");
		expect(parseEvent(withTicket({ id: " T-7 " })).ticketId).toBe("T-7");
	});

	it("is null when there is none, or it is not an id", () => {
		for (const ticket of [undefined, null, 7, { id: null }, { id: {} }, { id: "" }, { id: "x".repeat(65) }, { id: Number.NaN }]) {
			expect(parseEvent(withTicket(ticket)).ticketId, JSON.stringify(ticket)).toBeNull();
		}
	});

	it("is stored with the event", async () => {
		await ingest(fixture("ticket.created"));
		const [{ ticket_id }] = await rows<{ ticket_id: string }>("SELECT ticket_id FROM events");
		expect(ticket_id).toBe(String(JSON.parse(fixture("ticket.created")).payload.ticket.id));
	});
});
