import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { LANE_SHARE } from "../../src/delivery/fairShare";
import { EVENT_TYPES } from "../../src/eventTypes";
import { MAX_EVENT_BYTES } from "../../src/ingest/route";
import {
	createEndpoint,
	dbWithConcurrentWrite,
	fixture,
	ingest,
	operatorHeaders,
	pacerOfAccount,
	recordingQueues,
	request,
	rows,
} from "../helpers/worker";

async function expectNothingStored() {
	expect(await rows("SELECT id FROM events")).toEqual([]);
	expect(await rows("SELECT id FROM deliveries")).toEqual([]);
}

describe("POST /events rejects bad requests in order, storing and queuing nothing", () => {
	const body = fixture("ticket.created");
	const cases: { name: string; headers: Record<string, string>; body?: string; status: number; message: RegExp }[] = [
		{ name: "no credentials", headers: { authorization: "" }, status: 401, message: /ingest token/ },
		{ name: "a wrong bearer token", headers: { authorization: "Bearer nope" }, status: 401, message: /ingest token/ },
		{
			name: "a wrong token of another length",
			headers: { authorization: `Bearer ${env.INGEST_TOKEN}x` },
			status: 401,
			message: /ingest token/,
		},
		{ name: "a wrong X-SupportBee-Key", headers: { authorization: "", "x-supportbee-key": "nope" }, status: 401, message: /ingest token/ },
		{
			name: "bad credentials and a bad content type (401 first)",
			headers: { authorization: "", "content-type": "text/plain" },
			status: 401,
			message: /ingest token/,
		},
		{ name: "a non-JSON content type", headers: { "content-type": "text/plain" }, status: 415, message: /application\/json/ },
		{ name: "no content type", headers: { "content-type": "" }, status: 415, message: /application\/json/ },
		{
			name: "an oversize body",
			headers: {},
			body: `{"payload":{"action_type":"ticket.created","pad":"${"x".repeat(MAX_EVENT_BYTES)}"}}`,
			status: 413,
			message: /256 KB/,
		},
		{
			name: "an oversize body with a bad content type (415 first)",
			headers: { "content-type": "text/plain" },
			body: "x".repeat(MAX_EVENT_BYTES + 1),
			status: 415,
			message: /application\/json/,
		},
		{
			name: "an oversize body with bad JSON (413 first)",
			headers: {},
			body: "{".repeat(MAX_EVENT_BYTES + 1),
			status: 413,
			message: /256 KB/,
		},
		{ name: "malformed JSON", headers: {}, body: '{"payload": ', status: 400, message: /not valid JSON/ },
		{ name: "no payload", headers: {}, body: '{"ticket": {}}', status: 400, message: /no "payload"/ },
		{ name: "a payload that is not an object", headers: {}, body: '{"payload": []}', status: 400, message: /no "payload"/ },
		{ name: "no action_type", headers: {}, body: '{"payload": {"ticket": {}}}', status: 400, message: /no "action_type"/ },
		{
			name: "an unknown action_type",
			headers: {},
			body: '{"payload": {"action_type": "ticket.exploded"}}',
			status: 422,
			message: /ticket\.exploded.*ticket\.created/,
		},
	];
	for (const testCase of cases) {
		it(`answers ${testCase.status} for ${testCase.name}`, async () => {
			await createEndpoint("https://receiver.example/hook");
			const { response, queue } = await ingest(testCase.body ?? body, { headers: testCase.headers });
			expect(response.status).toBe(testCase.status);
			const error = (await response.json()) as { error: string };
			expect(error.error).toMatch(testCase.message);
			expect(queue.batches).toEqual([]);
			await expectNothingStored();
		});
	}

	it("lists every valid event type when the action_type is unknown", async () => {
		const { response } = await ingest('{"payload": {"action_type": "nope"}}');
		const error = (await response.json()) as { error: string; fields: Record<string, string> };
		for (const type of EVENT_TYPES) expect(error.error).toContain(type);
		expect(error.fields).toHaveProperty("payload.action_type");
	});

	it("fails closed with 503 naming INGEST_TOKEN when it is not set", async () => {
		const { response } = await ingest(body, { env: { INGEST_TOKEN: undefined } });
		expect(response.status).toBe(503);
		const error = (await response.json()) as { error: string };
		expect(error.error).toContain("INGEST_TOKEN");
		expect(error.error).not.toContain(env.INGEST_TOKEN);
		await expectNothingStored();
	});
});

describe("POST /events accepts SupportBee events", () => {
	it("takes the token from X-SupportBee-Key and a charset parameter", async () => {
		const { response } = await ingest(fixture("ticket.created"), {
			headers: {
				authorization: "",
				"x-supportbee-key": env.INGEST_TOKEN ?? "",
				"content-type": "application/json; charset=utf-8",
			},
		});
		expect(response.status).toBe(202);
	});

	it("stores the exact body and answers 202 with the event id and delivery count", async () => {
		await createEndpoint("https://one.example/hook");
		const body = fixture("customer.reply.created");
		const { response, queue } = await ingest(body);
		expect(response.status).toBe(202);
		const receipt = (await response.json()) as { event_id: string; action_type: string; deliveries: number };
		expect(receipt).toEqual({ event_id: expect.stringMatching(/^evt_/), action_type: "customer.reply.created", deliveries: 1 });
		const event = (await (await request(`/api/events/${receipt.event_id}`, { headers: operatorHeaders })).response.json()) as {
			body: string;
		};
		expect(event.body).toBe(body);
		expect(queue.messages).toHaveLength(1);
	});

	it("fans out to every enabled endpoint subscribed to the event, one message (its address only) each", async () => {
		const all = await createEndpoint("https://all.example/hook");
		const created = await createEndpoint("https://created.example/hook", { events: ["ticket.created", "comment.created"] });
		await createEndpoint("https://comments.example/hook", { events: ["comment.created"] });
		const disabled = await createEndpoint("https://disabled.example/hook");
		await env.DB.prepare("UPDATE endpoints SET enabled = 0 WHERE id = ?").bind(disabled.id).run();

		const { response, queue } = await ingest(fixture("ticket.created"));
		const receipt = (await response.json()) as { event_id: string; deliveries: number };
		expect(receipt.deliveries).toBe(2);
		const stored = await rows<{ id: string; endpoint_id: string; status: string }>(
			"SELECT id, endpoint_id, status FROM deliveries WHERE event_id = ? ORDER BY endpoint_id",
			receipt.event_id,
		);
		expect(stored.map((d) => d.endpoint_id).sort()).toEqual([all.id, created.id].sort());
		expect(stored.every((d) => d.status === "new")).toBe(true);
		expect(queue.messages.map((m) => m.deliveryId).sort()).toEqual(stored.map((d) => d.id).sort());
		expect(queue.messages.every((m) => Object.keys(m).sort().join() === "accountId,deliveryId,endpointId")).toBe(true);
		expect(queue.sent.every((entry) => entry.lane === "main")).toBe(true);
	});

	it("accepts an event with no subscribed endpoint (0 deliveries)", async () => {
		const { response, queue } = await ingest(fixture("ticket.trashed"));
		expect(response.status).toBe(202);
		expect(((await response.json()) as { deliveries: number }).deliveries).toBe(0);
		expect(queue.batches).toEqual([]);
	});

	it("fans one event out to 1,000 endpoints in a constant number of statements and sendBatch calls of at most 100; over the fair rate, they take the bulk lane within the account's share", async () => {
		const registerAll = (count: number) =>
			request("/api/endpoints", {
				method: "PUT",
				headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
				body: JSON.stringify({ urls: Array.from({ length: count }, (_, i) => `https://r${i}.example/hook`).join(",") }),
			});
		/** Ingests one event through a D1 binding that counts the statements it prepares. */
		const countedIngest = async () => {
			let statements = 0;
			const DB = new Proxy(env.DB, {
				get(target, key) {
					if (key === "prepare") {
						return (query: string) => {
							statements++;
							return target.prepare(query);
						};
					}
					const value = Reflect.get(target, key);
					return typeof value === "function" ? value.bind(target) : value;
				},
			});
			return { ...(await ingest(fixture("ticket.created"), { env: { DB } })), statements: () => statements };
		};
		expect((await registerAll(1)).response.status).toBe(200);
		const one = await countedIngest();
		expect(((await one.response.json()) as { deliveries: number }).deliveries).toBe(1);
		expect((await registerAll(1000)).response.status).toBe(200);
		const { response, queue, statements } = await countedIngest();
		expect(statements()).toBe(one.statements());
		expect(response.status).toBe(202);
		expect(((await response.json()) as { deliveries: number }).deliveries).toBe(1000);
		// 1,000 deliveries in a second are over the fair rate: the account's share of the bulk lane goes out, the rest is parked in its pacer.
		expect(queue.on("bulk")).toHaveLength(LANE_SHARE.bulk);
		expect(queue.batches).toHaveLength(LANE_SHARE.bulk / 100);
		expect(queue.batches.every((batch) => batch.length <= 100)).toBe(true);
		expect(new Set(queue.messages.map((m) => m.deliveryId)).size).toBe(LANE_SHARE.bulk);
		expect(await pacerOfAccount(DEFAULT_ACCOUNT_ID, recordingQueues()).status()).toEqual({
			bursting: true,
			parked: 1000 - LANE_SHARE.bulk,
		});
	});
});

describe("Idempotency-Key", () => {
	it("answers a repeat with 200 and the original receipt, creating nothing", async () => {
		await createEndpoint("https://one.example/hook");
		const body = fixture("ticket.created");
		const first = await ingest(body, { headers: { "idempotency-key": "abc-1" } });
		expect(first.response.status).toBe(202);
		const receipt = await first.response.json();
		const again = await ingest(body, { headers: { "idempotency-key": "abc-1" } });
		expect(again.response.status).toBe(200);
		expect(await again.response.json()).toEqual(receipt);
		expect(again.queue.batches).toEqual([]);
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
		expect(await rows("SELECT id FROM deliveries")).toHaveLength(1);
	});

	it("refuses a key over 255 characters with 422 validation_failed naming it, storing and queuing nothing; 255 is fine", async () => {
		await createEndpoint("https://one.example/hook");
		const { response, queue } = await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k".repeat(256) } });
		expect(response.status).toBe(422);
		expect(await response.json()).toMatchObject({
			code: "validation_failed",
			error: expect.stringContaining("255"),
			fields: { "Idempotency-Key": expect.any(String) },
		});
		expect(queue.batches).toEqual([]);
		await expectNothingStored();
		expect((await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k".repeat(255) } })).response.status).toBe(202);
	});

	it("answers 409 when the key comes back with a different body", async () => {
		await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "abc-2" } });
		const { response } = await ingest(fixture("ticket.answered"), { headers: { "idempotency-key": "abc-2" } });
		expect(response.status).toBe(409);
		expect(((await response.json()) as { error: string }).error).toMatch(/different body/);
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
	});

	it("makes exactly one event of simultaneous requests with one key", async () => {
		await createEndpoint("https://one.example/hook");
		const body = fixture("ticket.created");
		const results = await Promise.all(Array.from({ length: 8 }, () => ingest(body, { headers: { "idempotency-key": "race" } })));
		const statuses = results.map((r) => r.response.status).sort();
		expect(statuses.filter((s) => s === 202)).toHaveLength(1);
		expect(statuses.filter((s) => s === 200)).toHaveLength(7);
		const ids = new Set(await Promise.all(results.map(async (r) => ((await r.response.json()) as { event_id: string }).event_id)));
		expect(ids.size).toBe(1);
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
		expect(await rows("SELECT id FROM deliveries")).toHaveLength(1);
	});

	it("answers a request that lost the race at the unique index as the winner did (the unique-violation path)", async () => {
		await createEndpoint("https://one.example/hook");
		const body = fixture("ticket.created");
		// The winner commits between this request's look-up of the key and its own insert.
		let winner = "";
		const db = dbWithConcurrentWrite(async () => {
			const won = await ingest(body, { headers: { "idempotency-key": "race" } });
			winner = ((await won.response.json()) as { event_id: string }).event_id;
		});
		const { response, queue } = await ingest(body, { headers: { "idempotency-key": "race" }, env: { DB: db } });
		expect(response.status).toBe(200);
		expect(((await response.json()) as { event_id: string }).event_id).toBe(winner);
		expect(queue.batches).toEqual([]);
		expect(await rows("SELECT id FROM events")).toEqual([{ id: winner }]);
		expect(await rows("SELECT id FROM deliveries")).toHaveLength(1);
	});

	it("forgets a key after 24 hours", async () => {
		const body = fixture("ticket.created");
		await ingest(body, { headers: { "idempotency-key": "old" } });
		await env.DB.prepare("UPDATE events SET received_at = received_at - 86400001").run();
		const { response } = await ingest(body, { headers: { "idempotency-key": "old" } });
		expect(response.status).toBe(202);
		expect(await rows("SELECT id FROM events")).toHaveLength(2);
	});
});

describe("queue failures after the commit", () => {
	it("still answers 202: the event and its deliveries are committed for the sweep", async () => {
		await createEndpoint("https://one.example/hook");
		const failingQueue = {
			send: async () => {
				throw new Error("queue down");
			},
			sendBatch: async () => {
				throw new Error("queue down");
			},
		} as unknown as Queue;
		const { response } = await ingest(fixture("ticket.created"), { env: { DELIVERY_QUEUE: failingQueue } });
		expect(response.status).toBe(202);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "new" }]);
	});
});
