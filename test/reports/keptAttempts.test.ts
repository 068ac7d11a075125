/**
 * A clean automatic success is kept on its delivery's row, not as an attempts
 * row: the API, the delivery log and an endpoint's recent attempts still show
 * it among the others, in the order they were made, in the same shape.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountDatabase } from "../../src/db/client";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { recentAttempts } from "../../src/reports/recentAttempts";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, makeDue, rows, runConsumer, stubDestination } from "../helpers/worker";

interface Attempt {
	number: number | null;
	manual: boolean;
	started_at: string;
	status_code: number | null;
	error: string | null;
	response_body: string | null;
	succeeded: boolean;
}

describe("a success kept on the delivery's row", () => {
	it("is shown with the attempts rows, in order and in the same shape, by the API, the log and the endpoint's recent attempts", async () => {
		const answers = [500, 500, 200, 200];
		stubDestination(() => {
			const status = answers.shift() ?? 599;
			return new Response(status === 200 ? "fine" : "broken", { status });
		});
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [id] = queue.messages.map((m) => m.deliveryId);
		await runConsumer([id]); // automatic 1: 500
		expect((await api(`/deliveries/${id}/retry`, { method: "POST" })).status).toBe(200); // manual: 500
		await makeDue(id);
		await runConsumer([id]); // automatic 2: 200, kept on the row
		expect((await api(`/deliveries/${id}/retry`, { method: "POST" })).status).toBe(200); // manual: 200

		expect(await rows("SELECT seq, manual, status_code FROM attempts WHERE delivery_id = ? ORDER BY seq", id)).toEqual([
			{ seq: 1, manual: 0, status_code: 500 },
			{ seq: 2, manual: 1, status_code: 500 },
			{ seq: 4, manual: 1, status_code: 200 },
		]);
		expect(await rows("SELECT status, ok_seq, ok_status_code, ok_response FROM deliveries WHERE id = ?", id)).toEqual([
			{ status: "delivered", ok_seq: 3, ok_status_code: 200, ok_response: "fine" },
		]);

		const detail = await json<{ attempts: Attempt[]; last_attempt: Attempt }>(await api(`/deliveries/${id}`));
		expect(detail.attempts).toMatchObject([
			{ number: 1, manual: false, status_code: 500, response_body: "broken", succeeded: false },
			{ number: null, manual: true, status_code: 500, response_body: "broken", succeeded: false },
			{ number: 2, manual: false, status_code: 200, error: null, response_body: "fine", succeeded: true },
			{ number: null, manual: true, status_code: 200, response_body: "fine", succeeded: true },
		]);
		const keys = Object.keys(detail.attempts[0]).sort();
		for (const attempt of detail.attempts) expect(Object.keys(attempt).sort()).toEqual(keys);
		const started = detail.attempts.map((attempt) => Date.parse(attempt.started_at));
		expect(started).toEqual([...started].sort((a, b) => a - b));
		expect(detail.last_attempt).toMatchObject({ manual: true, status_code: 200 });

		const recent = await recentAttempts(
			{ db: accountDatabase(env, { id: DEFAULT_ACCOUNT_ID, database: "DB" }), accountId: DEFAULT_ACCOUNT_ID },
			endpoint.id,
		);
		expect(recent.map((attempt) => [attempt.manual, attempt.status_code, attempt.response_start])).toEqual([
			[true, 200, "fine"],
			[false, 200, "fine"],
			[true, 500, "broken"],
			[false, 500, "broken"],
		]);
	});

	it("is an attempts row after all when its claim was taken meanwhile: the success is in the log, the newer claim's state untouched", async () => {
		const newer = `clm_${"0e".repeat(14)}`;
		stubDestination(async () => {
			// While the attempt is in flight, its lease passes and another claim takes the delivery.
			await env.DB.prepare("UPDATE deliveries SET claim_id = ?").bind(newer).run();
			return new Response("fine");
		});
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [id] = queue.messages.map((m) => m.deliveryId);
		await runConsumer([id]);
		expect(await rows("SELECT status, claim_id, ok_seq FROM deliveries WHERE id = ?", id)).toEqual([
			{ status: "new", claim_id: newer, ok_seq: null },
		]);
		expect(await rows("SELECT seq, attempt_number, status_code, response_body, succeeded FROM attempts WHERE delivery_id = ?", id)).toEqual(
			[{ seq: 1, attempt_number: 1, status_code: 200, response_body: "fine", succeeded: 1 }],
		);
	});

	it("is the newest attempt in the log while no attempt came after it", async () => {
		stubDestination(() => new Response("fine"));
		await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		const page = await json<{ deliveries: { last_attempt: Attempt }[] }>(await api("/deliveries"));
		expect(page.deliveries.map((delivery) => delivery.last_attempt)).toMatchObject([
			{ manual: false, status_code: 200, error: null, succeeded: true },
		]);
	});
});
