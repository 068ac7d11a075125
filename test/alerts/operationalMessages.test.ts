/**
 * Operational messages: each of the four types sent once per cause to the
 * operational endpoints that take it, with its data, signed with each
 * endpoint's secret and delivered by the same pipeline; never about an
 * operational endpoint itself.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import {
	type CapturedRequest,
	createAccount,
	createEndpoint,
	databaseBinding,
	fixture,
	ingest,
	makeDue,
	operatorMessages,
	rows,
	rowsEverywhere,
	runConsumer,
	runEverywhere,
	runScheduled,
	stubDestination,
} from "../helpers/worker";

const OPS = "https://ops.example/hook";
const RECEIVER = "https://receiver.example/hook";

/** The destination: the operational endpoint takes everything, the helpdesk's receiver answers `status`. */
function destination(status: () => number) {
	return stubDestination(({ url }) => new Response(null, { status: url === OPS ? 200 : status() }));
}

async function operationalEndpoint(events?: string[]) {
	const response = await api("/operational-endpoints", { method: "POST", body: { url: OPS, events } });
	return json<{ id: string; secret: string }>(response);
}

/** Sends `count` events to acme's endpoint and runs the consumer on them; returns what that run queued (the messages' deliveries). */
async function deliverEvents(count: number, env: Partial<Env> = {}) {
	const messages = [];
	for (let i = 0; i < count; i++) messages.push(...(await ingest(fixture("ticket.created"), { account: "acme" })).queue.messages);
	return (await runConsumer(messages, { env })).queue.messages;
}

/** The operator's stored messages, oldest first. */
const storedMessages = () => operatorMessages();

const sentTo = (requests: CapturedRequest[], url: string) => requests.filter((request) => request.url === url);

describe("endpoint.failing", () => {
	it("is sent once per streak when it reaches ALERT_AFTER_FAILURES, signed with the operational endpoint's secret", async () => {
		const ops = await operationalEndpoint();
		const { database } = await createAccount("acme");
		expect(database).not.toBe("DB");
		const endpoint = await createEndpoint(RECEIVER, { account: "acme" });
		const calls = destination(() => 500);
		const env = { ALERT_AFTER_FAILURES: "3" };
		expect(await deliverEvents(2, env)).toEqual([]);
		expect(await storedMessages()).toEqual([]);
		const queued = await deliverEvents(1, env);
		expect(queued).toHaveLength(1);
		await runConsumer(queued);
		const [sent] = sentTo(calls.requests, OPS);
		const message = new Webhook(ops.secret).verify(sent.body, Object.fromEntries(sent.headers)) as Record<string, unknown>;
		const [endpointRow] = await rowsEverywhere<{ failing_since: number }>("SELECT failing_since FROM endpoints WHERE id = ?", endpoint.id);
		expect(message).toEqual({
			type: "endpoint.failing",
			timestamp: expect.stringMatching(/^\d{4}-/),
			data: {
				account: "acme",
				endpoint_id: endpoint.id,
				url: RECEIVER,
				failing_since: new Date(endpointRow.failing_since).toISOString(),
				consecutive_failures: 3,
				last_error: "HTTP 500",
				last_error_kind: "server_error",
			},
		});
		expect(sent.headers.get("webhook-id")).toMatch(/^evt_/);
		// The streak goes on: nothing more is sent for it, and the outbox is empty.
		expect(await deliverEvents(2, env)).toEqual([]);
		expect((await storedMessages()).map((stored) => stored.type)).toEqual(["endpoint.failing"]);
		expect(await rowsEverywhere("SELECT key FROM operational_outbox")).toEqual([]);
	});

	it("is sent only to the operational endpoints whose filter takes it", async () => {
		await operationalEndpoint(["delivery.failed"]);
		await createAccount("acme");
		await createEndpoint(RECEIVER, { account: "acme" });
		destination(() => 500);
		expect(await deliverEvents(3, { ALERT_AFTER_FAILURES: "1" })).toEqual([]);
		expect((await storedMessages()).map((stored) => stored.type)).toEqual(["endpoint.failing"]);
	});

	it("is never sent about an operational endpoint, nor is delivery.failed", async () => {
		await api("/operational-endpoints", { method: "POST", body: { url: "https://other-ops.example/hook" } });
		await operationalEndpoint();
		await createAccount("acme");
		await createEndpoint(RECEIVER, { account: "acme" });
		const calls = stubDestination(({ url }) => new Response(null, { status: url === RECEIVER ? 500 : 503 }));
		const env = { ALERT_AFTER_FAILURES: "1", MAX_RETRIES: "0" };
		const queued = await deliverEvents(1, env);
		// endpoint.failing and delivery.failed about acme's endpoint, to both operational endpoints.
		expect(queued).toHaveLength(4);
		// Both operational endpoints fail with their attempts used up: no message about them.
		expect(await runConsumer(queued, { env })).toMatchObject({ queue: { messages: [] } });
		expect(sentTo(calls.requests, OPS)).toHaveLength(2);
		expect((await storedMessages()).map((stored) => stored.type).sort()).toEqual(["delivery.failed", "endpoint.failing"]);
		expect(await rows("SELECT key FROM operational_outbox")).toEqual([]);
	});
});

describe("endpoint.recovered", () => {
	it("is sent at the first success after a streak that alerted, once; a streak that did not alert sends nothing", async () => {
		await operationalEndpoint();
		await createAccount("acme");
		const endpoint = await createEndpoint(RECEIVER, { account: "acme" });
		let status = 500;
		destination(() => status);
		const env = { ALERT_AFTER_FAILURES: "2" };
		await deliverEvents(1, env);
		status = 200;
		expect(await deliverEvents(1, env)).toEqual([]);
		status = 500;
		await deliverEvents(2, env);
		status = 200;
		expect(await deliverEvents(1, env)).toHaveLength(1);
		expect(await deliverEvents(1, env)).toEqual([]);
		const messages = await storedMessages();
		expect(messages.map((stored) => stored.type)).toEqual(["endpoint.failing", "endpoint.recovered"]);
		expect(messages[1].data).toEqual({
			account: "acme",
			endpoint_id: endpoint.id,
			url: RECEIVER,
			failing_since: messages[0].data.failing_since,
		});
	});
});

describe("delivery.failed", () => {
	it("is sent when a delivery used up its automatic attempts, with its ids, ticket, attempts and last error", async () => {
		await operationalEndpoint();
		await createAccount("acme");
		await createEndpoint(RECEIVER, { account: "acme" });
		destination(() => 502);
		const env = { MAX_RETRIES: "1", ALERT_AFTER_FAILURES: "100" };
		const [message] = (await ingest(fixture("ticket.created"), { account: "acme" })).queue.messages;
		expect((await runConsumer([message], { env })).queue.messages).toEqual([]);
		await makeDue(message.deliveryId);
		expect((await runConsumer([message], { env, lane: "isolation" })).queue.messages).toHaveLength(1);
		const [delivery] = await rowsEverywhere<{ event_id: string }>("SELECT event_id FROM deliveries WHERE id = ?", message.deliveryId);
		const [event] = await rowsEverywhere<{ ticket_id: string }>("SELECT ticket_id FROM events WHERE id = ?", delivery.event_id);
		expect(await storedMessages()).toEqual([
			{
				type: "delivery.failed",
				timestamp: expect.any(String),
				data: {
					account: "acme",
					endpoint_id: message.endpointId,
					url: RECEIVER,
					delivery_id: message.deliveryId,
					event_id: delivery.event_id,
					ticket_id: event.ticket_id,
					attempts: 2,
					last_error: "HTTP 502",
				},
			},
		]);
		expect(event.ticket_id).not.toBeNull();
	});
});

describe("endpoint.disabled", () => {
	it("is sent when the destination answers 410 Gone, with the cause and reason", async () => {
		await operationalEndpoint();
		await createAccount("acme");
		const endpoint = await createEndpoint(RECEIVER, { account: "acme" });
		destination(() => 410);
		expect(await deliverEvents(1)).toHaveLength(1);
		expect(await storedMessages()).toEqual([
			{
				type: "endpoint.disabled",
				timestamp: expect.any(String),
				data: {
					account: "acme",
					endpoint_id: endpoint.id,
					url: RECEIVER,
					disabled_cause: "gone",
					disabled_reason: "The destination answered 410 Gone.",
				},
			},
		]);
	});

	it("is not sent when someone disables an endpoint", async () => {
		await operationalEndpoint();
		await createAccount("acme");
		const endpoint = await createEndpoint(RECEIVER, { account: "acme" });
		expect((await api(`/accounts/acme/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } })).status).toBe(200);
		expect(await storedMessages()).toEqual([]);
	});
});

describe("the outbox", () => {
	it("is drained by the cron when the queue's run left a fact behind, and a fact stored twice is one message", async () => {
		await operationalEndpoint();
		const fact = [
			"endpoint.recovered:ep_1:1",
			"acc_default",
			"endpoint.recovered",
			Date.UTC(2026, 11, 6),
			JSON.stringify({ endpoint_id: "ep_1", url: RECEIVER, failing_since: null }),
		];
		const insert = "INSERT INTO operational_outbox (key, account_id, type, at, data) VALUES (?, ?, ?, ?, ?)";
		await databaseBinding("DB_2")
			.prepare(insert)
			.bind(...fact)
			.run();
		expect((await runScheduled()).messages).toHaveLength(1);
		// Its delete lost (the Worker stopped): the next run finds the message stored already.
		await databaseBinding("DB_2")
			.prepare(insert)
			.bind(...fact)
			.run();
		expect((await runScheduled()).messages).toEqual([]);
		expect(await storedMessages()).toEqual([
			{
				type: "endpoint.recovered",
				timestamp: "2026-12-06T00:00:00.000Z",
				data: { account: "default", endpoint_id: "ep_1", url: RECEIVER, failing_since: null },
			},
		]);
		expect(await rowsEverywhere("SELECT key FROM operational_outbox")).toEqual([]);
	});
});

describe("delivery.failed by the sweep", () => {
	it("is sent when the sweep marks failed a delivery whose last attempt's Worker stopped", async () => {
		await operationalEndpoint();
		await createAccount("acme");
		await createEndpoint(RECEIVER, { account: "acme" });
		destination(() => 500);
		const [message] = (await ingest(fixture("ticket.created"), { account: "acme" })).queue.messages;
		await runConsumer([message], { env: { MAX_RETRIES: "1", ALERT_AFTER_FAILURES: "100" } });
		// Its last attempt claimed, then nothing recorded (the Worker stopped): attempts used up, overdue, its lease past.
		await runEverywhere(
			"UPDATE deliveries SET attempt_count = 4, next_attempt_at = ?, claim_id = 'clm_dead', lease_until = ? WHERE id = ?",
			Date.now() - 600_000,
			Date.now() - 1,
			message.deliveryId,
		);
		expect((await runScheduled()).messages).toHaveLength(1);
		expect(await storedMessages()).toEqual([
			expect.objectContaining({
				type: "delivery.failed",
				data: expect.objectContaining({ delivery_id: message.deliveryId, attempts: 4, last_error: "HTTP 500" }),
			}),
		]);
		expect(await rowsEverywhere("SELECT status FROM deliveries WHERE id = ?", message.deliveryId)).toEqual([{ status: "failed" }]);
	});
});
