import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config";
import { accountScope } from "../../src/db/client";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { attemptNow } from "../../src/delivery/manualAttempt";
import { api, json } from "../helpers/api";
import { createEndpoint, deliveryRow, fixture, ingest, rows, runConsumer, runRetryAlarm, stubDestination } from "../helpers/worker";

const db = () => accountScope(env, { id: DEFAULT_ACCOUNT_ID, database: "DB" }).db;

/** A delivery of the default account to the endpoint `endpointId`. */
const ref = (endpointId: string, deliveryId: string) => ({ accountId: DEFAULT_ACCOUNT_ID, endpointId, deliveryId });

async function retryingDelivery() {
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const [{ deliveryId, endpointId }] = queue.messages;
	await runConsumer([deliveryId]);
	return { deliveryId, endpointId, before: await deliveryRow(deliveryId) };
}

describe("Retry now (a manual attempt)", () => {
	it("on success ends the delivery and its pending retries, outside the automatic count", async () => {
		stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		const { deliveryId, endpointId, before } = await retryingDelivery();
		expect(before).toMatchObject({ status: "retrying", attempt_count: 1 });
		const attempt = await attemptNow(db(), readSettings(env), ref(endpointId, deliveryId));
		expect(attempt?.deliveryStatus).toBe("delivered");
		expect(attempt?.completed.result).toMatchObject({ ok: true, statusCode: 200 });
		expect(await deliveryRow(deliveryId)).toMatchObject({ status: "delivered", attempt_count: 1, next_attempt_at: null });
		expect(await rows("SELECT seq, attempt_number, manual FROM delivery_attempts ORDER BY seq")).toEqual([
			{ seq: 1, attempt_number: 1, manual: 0 },
			{ seq: 2, attempt_number: null, manual: 1 },
		]);
	});

	it("on failure leaves the automatic schedule exactly as it was", async () => {
		stubDestination(() => new Response(null, { status: 502 }));
		const { deliveryId, endpointId, before } = await retryingDelivery();
		const attempt = await attemptNow(db(), readSettings(env), ref(endpointId, deliveryId));
		expect(attempt?.deliveryStatus).toBe("retrying");
		expect(attempt?.completed.result).toMatchObject({ ok: false, statusCode: 502 });
		expect(await deliveryRow(deliveryId)).toEqual(before);
	});

	it("ignores Retry-After: it is the admin's call", async () => {
		const destination = stubDestination(() => new Response(null, { status: 429, headers: { "retry-after": "86400" } }));
		const { deliveryId, endpointId, before } = await retryingDelivery();
		const attempt = await attemptNow(db(), readSettings(env), ref(endpointId, deliveryId));
		// Sent at once, inside the window the destination asked for.
		expect(destination.requests).toHaveLength(2);
		expect(attempt?.completed.result.statusCode).toBe(429);
		expect((await deliveryRow(deliveryId)).next_attempt_at).toBe(before.next_attempt_at);
	});

	it("on 410 Gone disables the endpoint and stops this delivery's automatic retries too", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 410 }));
		const { deliveryId, endpointId } = await retryingDelivery();
		await attemptNow(db(), readSettings(env), ref(endpointId, deliveryId));
		expect(await rows("SELECT enabled FROM endpoints")).toEqual([{ enabled: 0 }]);
		expect(await rows("SELECT status, next_attempt_at FROM deliveries")).toEqual([{ status: "failed", next_attempt_at: null }]);
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0").run();
		// The retry's alarm is still armed: it runs, and hands nothing over.
		const { ran, queue } = await runRetryAlarm(deliveryId);
		expect(ran).toBe(true);
		expect(queue.messages).toEqual([]);
		expect(destination.requests).toHaveLength(2);
	});

	it("answers null for an unknown delivery", async () => {
		expect(await attemptNow(db(), readSettings(env), ref("ep_missing", "dlv_missing"))).toBeNull();
	});

	it("makes the attempt on a cancelled delivery once its endpoint is enabled again: a failure leaves it cancelled, a success delivers it", async () => {
		const destination = stubDestination((_request, index) => new Response(null, { status: index === 0 ? 500 : 200 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		// Disabled and enabled again: the delivery made meanwhile stays cancelled.
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } });
		await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: true } });
		expect((await deliveryRow(deliveryId)).status).toBe("cancelled");
		const failed = await api(`/deliveries/${deliveryId}/retry`, { method: "POST" });
		expect(failed.status).toBe(200);
		expect(await json(failed)).toMatchObject({ delivery_status: "cancelled", attempt: { status_code: 500, error_kind: "server_error" } });
		const succeeded = await api(`/deliveries/${deliveryId}/retry`, { method: "POST" });
		expect(await json(succeeded)).toMatchObject({ delivery_status: "delivered", attempt: { status_code: 200, error_kind: null } });
		expect(destination.requests).toHaveLength(2);
	});
});
