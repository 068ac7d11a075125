import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

interface Delivery {
	id: string;
	event_id: string;
	endpoint_id: string;
	endpoint_url: string;
	action_type: string;
	status: string;
	attempt_count: number;
	next_attempt_at: string | null;
}
interface Attempt {
	number: number | null;
	manual: boolean;
	status_code: number | null;
	error: string | null;
	response_body: string | null;
	succeeded: boolean;
}
type Page = { deliveries: Delivery[]; next_cursor: string | null };

async function ingested(actionType = "ticket.created"): Promise<string[]> {
	const { queue } = await ingest(fixture(actionType));
	return queue.messages.map((m) => m.deliveryId);
}

describe("GET /api/deliveries", () => {
	it("lists newest first and filters by status, endpoint and event type", async () => {
		const a = await createEndpoint("https://a.example/hook");
		const b = await createEndpoint("https://b.example/hook");
		// Ids sort by creation millisecond: keep the three events in distinct ones.
		await ingested("ticket.created");
		await new Promise((resolve) => setTimeout(resolve, 2));
		await ingested("comment.created");
		await new Promise((resolve) => setTimeout(resolve, 2));
		stubDestination((request) => new Response(null, { status: request.url.includes("a.example") ? 200 : 500 }));
		await runConsumer(await ingested("ticket.archived"));

		const all = await json<Page>(await api("/deliveries"));
		expect(all.deliveries.map((d) => d.action_type)).toEqual([
			"ticket.archived",
			"ticket.archived",
			"comment.created",
			"comment.created",
			"ticket.created",
			"ticket.created",
		]);
		expect(all.next_cursor).toBeNull();
		const delivered = await json<Page>(await api("/deliveries?status=delivered"));
		expect(delivered.deliveries.map((d) => [d.endpoint_id, d.action_type])).toEqual([[a.id, "ticket.archived"]]);
		const retrying = await json<Page>(await api("/deliveries?status=retrying"));
		expect(retrying.deliveries).toMatchObject([{ endpoint_id: b.id, endpoint_url: "https://b.example/hook", attempt_count: 1 }]);
		expect(retrying.deliveries[0].next_attempt_at).toEqual(expect.any(String));
		const ofB = await json<Page>(await api(`/deliveries?endpoint_id=${b.id}&event_type=comment.created`));
		expect(ofB.deliveries.map((d) => [d.endpoint_id, d.action_type, d.status])).toEqual([[b.id, "comment.created", "pending"]]);
	});

	it("pages 50 at a time with next_cursor", async () => {
		await createEndpoint("https://a.example/hook");
		for (let i = 0; i < 51; i++) await ingested();
		const first = await json<Page>(await api("/deliveries"));
		expect(first.deliveries).toHaveLength(50);
		expect(first.next_cursor).toBe(first.deliveries[49].id);
		const second = await json<Page>(await api(`/deliveries?cursor=${first.next_cursor}`));
		expect(second).toMatchObject({ next_cursor: null });
		expect(second.deliveries).toHaveLength(1);
		expect(first.deliveries.map((d) => d.id)).not.toContain(second.deliveries[0].id);
	});

	it("answers 422 to an unknown status or event type", async () => {
		expect((await api("/deliveries?status=lost")).status).toBe(422);
		expect((await api("/deliveries?event_type=ticket.melted")).status).toBe(422);
	});
});

describe("GET /api/deliveries/:id and /api/events/:id", () => {
	it("shows a delivery with every attempt, and its event with the exact body", async () => {
		await createEndpoint("https://a.example/hook");
		stubDestination(() => new Response("<h1>down</h1>", { status: 503 }));
		const [id] = await ingested("agent.reply.created");
		await runConsumer([id]);
		const delivery = await json<Delivery & { attempts: Attempt[] }>(await api(`/deliveries/${id}`));
		expect(delivery).toMatchObject({ id, status: "retrying", attempt_count: 1, action_type: "agent.reply.created" });
		expect(delivery.attempts).toMatchObject([
			{ number: 1, manual: false, status_code: 503, error: "HTTP 503", response_body: "<h1>down</h1>", succeeded: false },
		]);
		const event = await json<{ body: string; action_type: string; test: boolean; deliveries: Delivery[] }>(
			await api(`/events/${delivery.event_id}`),
		);
		expect(event).toMatchObject({ action_type: "agent.reply.created", test: false, body: fixture("agent.reply.created") });
		expect(event.deliveries.map((d) => d.id)).toEqual([id]);
	});

	it("answers 404 to unknown ids", async () => {
		expect((await api("/deliveries/dlv_missing")).status).toBe(404);
		expect((await api("/events/evt_missing")).status).toBe(404);
		expect((await api("/deliveries/dlv_missing/retry", { method: "POST" })).status).toBe(404);
	});
});

describe("POST /api/deliveries/:id/retry (Retry now)", () => {
	it("a success is a manual attempt that ends the delivery without using the automatic budget", async () => {
		await createEndpoint("https://a.example/hook");
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		const [id] = await ingested();
		await runConsumer([id]);
		const response = await api(`/deliveries/${id}/retry`, { method: "POST" });
		expect(response.status).toBe(200);
		expect(await json(response)).toMatchObject({
			delivery_status: "delivered",
			attempt: { number: null, manual: true, status_code: 200, succeeded: true },
		});
		expect(destination.requests).toHaveLength(2);
		expect(await rows("SELECT status, attempt_count, next_attempt_at FROM deliveries")).toEqual([
			{ status: "delivered", attempt_count: 1, next_attempt_at: null },
		]);
	});

	it("a failure leaves the automatic schedule as it was", async () => {
		await createEndpoint("https://a.example/hook");
		stubDestination(() => new Response("nope", { status: 500 }));
		const [id] = await ingested();
		await runConsumer([id]);
		const [before] = await rows("SELECT status, attempt_count, next_attempt_at FROM deliveries");
		const response = await api(`/deliveries/${id}/retry`, { method: "POST" });
		expect(await json(response)).toMatchObject({
			delivery_status: "retrying",
			attempt: { manual: true, status_code: 500, succeeded: false },
		});
		expect(await rows("SELECT status, attempt_count, next_attempt_at FROM deliveries")).toEqual([before]);
		expect(await rows("SELECT attempt_number, manual FROM delivery_attempts ORDER BY seq")).toEqual([
			{ attempt_number: 1, manual: 0 },
			{ attempt_number: null, manual: 1 },
		]);
	});

	it("answers 409 when the delivery's endpoint was deleted", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const destination = stubDestination(() => new Response("ok"));
		const [id] = await ingested();
		await api(`/endpoints/${endpoint.id}`, { method: "DELETE" });
		const response = await api(`/deliveries/${id}/retry`, { method: "POST" });
		expect(response.status).toBe(409);
		expect(destination.requests).toEqual([]);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "cancelled" }]);
	});
});

describe("GET /api/stats", () => {
	it("counts the last 24 h and reports each endpoint's health", async () => {
		const ok = await createEndpoint("https://ok.example/hook");
		const bad = await createEndpoint("https://bad.example/hook");
		stubDestination((request) => new Response(null, { status: request.url.includes("ok.example") ? 200 : 500 }));
		await runConsumer(await ingested());
		await runConsumer(await ingested());
		await rows("UPDATE deliveries SET status = 'failed' WHERE id = (SELECT min(id) FROM deliveries WHERE endpoint_id = ?)", bad.id);
		const response = await api("/stats");
		expect(response.status).toBe(200);
		const stats = await json<{
			events_received_24h: number;
			delivery_success_rate_24h: number;
			events_per_hour: { events: number }[];
			endpoints: {
				endpoint_id: string;
				attempts_ok_rate_24h: number;
				attempts_24h: number;
				retrying: number;
				failed_24h: number;
				last_status_code: number;
			}[];
		}>(response);
		expect(stats).toMatchObject({ events_received_24h: 2, deliveries_delivered_24h: 2, deliveries_failed_24h: 1 });
		expect(stats.delivery_success_rate_24h).toBeCloseTo(2 / 3);
		expect(stats.events_per_hour).toHaveLength(24);
		// Summed, so the test holds across an hour boundary.
		expect(stats.events_per_hour.reduce((sum, hour) => sum + hour.events, 0)).toBe(2);
		expect(stats.endpoints).toEqual([
			expect.objectContaining({
				endpoint_id: ok.id,
				attempts_ok_rate_24h: 1,
				attempts_24h: 2,
				retrying: 0,
				failed_24h: 0,
				last_status_code: 200,
			}),
			expect.objectContaining({
				endpoint_id: bad.id,
				attempts_ok_rate_24h: 0,
				attempts_24h: 2,
				retrying: 1,
				failed_24h: 1,
				last_status_code: 500,
			}),
		]);
	});
});
