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
} from "../helpers";

const settings = readSettings(env);

describe("concurrent claims", () => {
	it("an alarm, a queue message and the sweep taking up one delivery at once make exactly one attempt", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		await createEndpoint("https://receiver.example/hook");
		const [message] = (await ingest(fixture("ticket.created"))).queue.messages;
		await runConsumer([message]);
		expect(await deliveryRow(message.deliveryId)).toMatchObject({ status: "retrying", attempt_count: 1 });
		// Overdue enough that the sweep takes it too, and nobody holds it.
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL")
			.bind(Date.now() - settings.strandedAfterMs - 1)
			.run();

		const swept = recordingQueues();
		await Promise.all([
			runRetryAlarm(message.deliveryId).then(({ queue }) => runConsumer(queue.messages, "isolation")),
			runConsumer([message], "isolation"),
			sweep(testEnv(swept)).then(() => runConsumer(swept.messages, "isolation")),
		]);
		expect(swept.messages).toEqual([message]);
		expect(destination.requests).toHaveLength(2);
		expect(await deliveryRow(message.deliveryId)).toMatchObject({ status: "delivered", attempt_count: 2 });
		expect(await rows("SELECT attempt_number FROM attempts ORDER BY seq")).toEqual([{ attempt_number: 1 }, { attempt_number: 2 }]);
	});
});
