import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config";
import { database } from "../../src/db/client";
import { attemptNow } from "../../src/delivery/attempt";
import { createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers";

async function retryingDelivery() {
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const [{ deliveryId }] = queue.messages;
	await runConsumer([deliveryId]);
	const [before] = await rows<{ status: string; attempt_count: number; next_attempt_at: number }>(
		"SELECT status, attempt_count, next_attempt_at FROM deliveries WHERE id = ?",
		deliveryId,
	);
	return { deliveryId, before };
}

describe("Retry now (a manual attempt)", () => {
	it("on success ends the delivery and its pending retries, outside the automatic count", async () => {
		stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		const { deliveryId, before } = await retryingDelivery();
		expect(before).toMatchObject({ status: "retrying", attempt_count: 1 });
		const attempt = await attemptNow(database(env), readSettings(env), deliveryId);
		expect(attempt).toMatchObject({ manual: true, attemptNumber: null, succeeded: true, statusCode: 200, deliveryStatus: "delivered" });
		expect(await rows("SELECT status, attempt_count, next_attempt_at FROM deliveries WHERE id = ?", deliveryId)).toEqual([
			{ status: "delivered", attempt_count: 1, next_attempt_at: null },
		]);
		expect(await rows("SELECT attempt_number, manual FROM attempts ORDER BY id")).toEqual([
			{ attempt_number: 1, manual: 0 },
			{ attempt_number: null, manual: 1 },
		]);
	});

	it("on failure leaves the automatic schedule exactly as it was", async () => {
		stubDestination(() => new Response(null, { status: 502 }));
		const { deliveryId, before } = await retryingDelivery();
		const attempt = await attemptNow(database(env), readSettings(env), deliveryId);
		expect(attempt).toMatchObject({ manual: true, succeeded: false, statusCode: 502, deliveryStatus: "retrying" });
		const [after] = await rows("SELECT status, attempt_count, next_attempt_at FROM deliveries WHERE id = ?", deliveryId);
		expect(after).toEqual(before);
	});

	it("ignores Retry-After: it is the admin's call", async () => {
		const destination = stubDestination(() => new Response(null, { status: 429, headers: { "retry-after": "86400" } }));
		const { deliveryId, before } = await retryingDelivery();
		const attempt = await attemptNow(database(env), readSettings(env), deliveryId);
		// Sent at once, inside the window the destination asked for.
		expect(destination.requests).toHaveLength(2);
		expect(attempt).toMatchObject({ manual: true, statusCode: 429 });
		const [after] = await rows("SELECT next_attempt_at FROM deliveries WHERE id = ?", deliveryId);
		expect(after).toEqual({ next_attempt_at: before.next_attempt_at });
	});

	it("on 410 Gone disables the endpoint and stops this delivery's automatic retries too", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 410 }));
		const { deliveryId } = await retryingDelivery();
		await attemptNow(database(env), readSettings(env), deliveryId);
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);
		expect(await rows("SELECT status, next_attempt_at FROM deliveries")).toEqual([{ status: "failed", next_attempt_at: null }]);
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0").run();
		await runDurableObjectAlarm(env.RETRY_SCHEDULER.get(env.RETRY_SCHEDULER.idFromName(deliveryId)));
		expect(destination.requests).toHaveLength(2);
	});

	it("answers null for an unknown delivery", async () => {
		expect(await attemptNow(database(env), readSettings(env), "dlv_missing")).toBeNull();
	});
});
