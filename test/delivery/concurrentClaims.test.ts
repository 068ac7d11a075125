/**
 * One claim decides: an alarm, a queue message and the sweep that all take up
 * the same delivery at the same moment make exactly one attempt.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config";
import { sweep } from "../../src/retry/sweep";
import {
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	recordingQueues,
	rows,
	runConsumer,
	runRetryAlarm,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const settings = readSettings(env);

/** The D1 binding, counting batches (each consumer's claim is its first); `reached(n)` resolves once `n` have started. */
function countingBatches() {
	let count = 0;
	const waiting: { n: number; resolve: () => void }[] = [];
	const db = new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "batch") {
				return (statements: D1PreparedStatement[]) => {
					count++;
					for (const entry of waiting) if (count >= entry.n) entry.resolve();
					return target.batch(statements);
				};
			}
			const value = Reflect.get(target, prop, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return {
		db,
		get count() {
			return count;
		},
		reached: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiting.push({ n, resolve }))),
	};
}

describe("concurrent claims", () => {
	it("an alarm, a queue message and the sweep taking up one delivery at once make exactly one attempt", async () => {
		const batches = countingBatches();
		const claimants = 3;
		let claimsBeforeSend: number | null = null;
		const destination = stubDestination(async (_request, index) => {
			if (index === 0) return new Response(null, { status: 500 });
			// Held until every claimant has made its claim (or 2 s, should one never get there).
			await Promise.race([batches.reached(claimants), new Promise((resolve) => setTimeout(resolve, 2000))]);
			claimsBeforeSend ??= batches.count;
			return new Response(null, { status: 200 });
		});
		await createEndpoint("https://receiver.example/hook");
		const [message] = (await ingest(fixture("ticket.created"))).queue.messages;
		await runConsumer([message]);
		expect(await deliveryRow(message.deliveryId)).toMatchObject({ status: "retrying", attempt_count: 1 });
		// Overdue enough that the sweep takes it too, and nobody holds it.
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL")
			.bind(Date.now() - settings.strandedAfterMs - 1)
			.run();

		// The alarm and the sweep both take it up, each handing it to the isolation lane...
		const swept = recordingQueues();
		const [alarm] = await Promise.all([runRetryAlarm(message.deliveryId), sweep(testEnv(swept))]);
		expect(alarm.ran).toBe(true);
		expect(alarm.queue.messages).toEqual([message]);
		expect(swept.messages).toEqual([message]);
		// ...and their messages and a duplicate of the queue's are consumed at once: one claim wins, its send
		// held until the other two have tried theirs.
		const consumed = await Promise.all(
			[alarm.queue.messages, [message], swept.messages].map((messages) =>
				runConsumer(messages, { lane: "isolation", env: { DB: batches.db } }),
			),
		);
		expect(claimsBeforeSend).toBe(claimants);
		expect(destination.requests).toHaveLength(2);
		expect(consumed.flatMap((result) => result.queue.messages)).toEqual([]);
		expect(await deliveryRow(message.deliveryId)).toMatchObject({ status: "delivered", attempt_count: 2 });
		expect(await rows("SELECT attempt_number FROM delivery_attempts ORDER BY seq")).toEqual([{ attempt_number: 1 }, { attempt_number: 2 }]);
	});
});
