/**
 * An endpoint's failing streak, on its row: automatic attempts failed in a row
 * since the last success and since when, the failures of one record added in
 * one statement, reset by a success; a manual Retry now changes nothing.
 */
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import { createEndpoint, fixture, ingest, makeDue, rows, runConsumer, stubDestination } from "../helpers/worker";

interface Streak {
	consecutive_failures: number;
	failing_since: number | null;
	last_attempt_succeeded: number | null;
}

const streak = async (id: string) =>
	(await rows<Streak>("SELECT consecutive_failures, failing_since, last_attempt_succeeded FROM endpoints WHERE id = ?", id))[0];

/** Events ingested one by one, each making one delivery to the one endpoint. */
async function deliveries(count: number): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) ids.push(...(await ingest(fixture("ticket.created"))).queue.messages.map((m) => m.deliveryId));
	return ids;
}

const firstAttemptStart = async () =>
	(await rows<{ started_at: number }>("SELECT min(started_at) AS started_at FROM delivery_attempts"))[0].started_at;

describe("the failing streak", () => {
	it("adds the failures of one record in one statement, and keeps adding across records", async () => {
		stubDestination(() => new Response("down", { status: 500 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const ids = await deliveries(3);
		const recorded: RecordedStatement[] = [];
		await runConsumer(ids, { env: { DB: recordingDatabase(recorded) } });
		expect(await streak(endpoint.id)).toEqual({
			consecutive_failures: 3,
			failing_since: await firstAttemptStart(),
			last_attempt_succeeded: 0,
		});
		// The statement that writes the streak (the others around it record operational facts, when they hold).
		expect(recorded.filter((statement) => /^update "endpoints" set "last_attempt_at"/i.test(statement.sql))).toHaveLength(1);

		await makeDue(ids[0]);
		await runConsumer([ids[0]], { lane: "isolation" });
		expect(await streak(endpoint.id)).toEqual({
			consecutive_failures: 4,
			failing_since: await firstAttemptStart(),
			last_attempt_succeeded: 0,
		});
	});

	it("ends with a success, and counts only the failures after the newest success of a record", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		stubDestination(() => new Response(null, { status: 503 }));
		await runConsumer(await deliveries(2));
		stubDestination(() => new Response("ok"));
		await runConsumer(await deliveries(1));
		expect(await streak(endpoint.id)).toEqual({ consecutive_failures: 0, failing_since: null, last_attempt_succeeded: 1 });

		// One record: a success, then two failures (the sends of one wave, answered in this order).
		let answered = 0;
		stubDestination(async () => {
			const turn = answered++;
			await new Promise((resolve) => setTimeout(resolve, turn * 20));
			return new Response(null, { status: turn === 0 ? 200 : 500 });
		});
		await runConsumer(await deliveries(3));
		const [{ second }] = await rows<{ second: number }>(
			"SELECT started_at AS second FROM delivery_attempts WHERE succeeded = 0 ORDER BY started_at DESC LIMIT 1 OFFSET 1",
		);
		expect(await streak(endpoint.id)).toEqual({ consecutive_failures: 2, failing_since: second, last_attempt_succeeded: 0 });
	});

	it("is left alone by Retry now, which is not an automatic attempt", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		stubDestination(() => new Response(null, { status: 500 }));
		const [id] = await deliveries(1);
		await runConsumer([id]);
		const before = await rows("SELECT * FROM endpoints");
		stubDestination(() => new Response("ok"));
		expect((await api(`/deliveries/${id}/retry`, { method: "POST" })).status).toBe(200);
		expect(await rows("SELECT * FROM endpoints")).toEqual(before);
		expect((await streak(endpoint.id)).consecutive_failures).toBe(1);
	});
});

it("a 410 records why and when the endpoint was disabled, the time apart from the reason's text", async () => {
	stubDestination(() => new Response(null, { status: 410 }));
	const endpoint = await createEndpoint("https://receiver.example/hook");
	const before = Date.now();
	await runConsumer(await deliveries(1));
	const [row] = await rows<{ disabled_cause: string; disabled_at: number; disabled_reason: string }>(
		"SELECT disabled_cause, disabled_at, disabled_reason FROM endpoints WHERE id = ?",
		endpoint.id,
	);
	expect(row).toEqual({ disabled_cause: "gone", disabled_at: expect.any(Number), disabled_reason: "The destination answered 410 Gone." });
	expect(row.disabled_at).toBeGreaterThanOrEqual(before);
});
