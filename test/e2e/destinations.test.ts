/**
 * The production destination policy (ALLOW_PRIVATE_DESTINATIONS=false) on the
 * real local stack: a private URL is refused when it is registered, and one
 * already stored (written straight into the local D1, as before a stricter
 * rule) is refused at send time, before any request leaves. The receiver on
 * 127.0.0.1 stands for an internal service.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeLocalSql } from "../../scripts/lib/localStack.ts";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { startTestStack, type TestStack } from "../helpers/localStack";

let stack: TestStack;
let internal: Receiver;

beforeAll(async () => {
	[stack, internal] = await Promise.all([
		startTestStack({
			ALLOW_PRIVATE_DESTINATIONS: "false",
			// Nothing moves after the first attempt while the test looks.
			RETRY_INTERVAL_SECONDS: "3600",
			DELIVERY_TIMEOUT_MS: "3000",
		}),
		startReceiver(),
	]);
});

afterAll(async () => {
	await internal?.close();
	await stack?.dispose();
});

describe("private destinations on the real stack, with ALLOW_PRIVATE_DESTINATIONS off", () => {
	const hookUrl = () => `${internal.url}/hook`;

	it("refuses to register a 127.0.0.1 URL with 422 destination_refused, storing nothing", async () => {
		const refused = await stack.hivepost.createEndpoint({ url: hookUrl() }, { expect: "any" });
		expect(refused.status).toBe(422);
		expect(refused.body).toMatchObject({ code: "destination_refused", fields: { url: expect.stringContaining("loopback") } });
		expect((await stack.hivepost.listEndpoints()).body).toEqual({ endpoints: [] });
	});

	it("refuses a stored 127.0.0.1 URL at send time: no request reaches it, and the attempt says why", async () => {
		const now = Date.now();
		// Into DB, the default account's database (the stack binds three).
		const secret = `whsec_${Buffer.from("a signing secret of 32 bytes....").toString("base64")}`;
		// An id as Hivepost makes them (lib/ids.ts), so the log's endpoint filter takes it.
		const id = `ep_${now.toString(16).padStart(12, "0")}${"0".repeat(16)}`;
		executeLocalSql(
			"DB",
			`INSERT INTO endpoints (id, account_id, url, secret, created_at, updated_at) VALUES ('${id}', 'acc_default', '${hookUrl()}', '${secret}', ${now}, ${now})`,
			stack.stateDir,
			stack.configPath,
		);
		const ingested = await stack.hivepost.ingest(sampleBody("ticket.created"), { expect: "any" });
		expect(ingested).toMatchObject({ status: 202, body: { deliveries: 1 } });

		const attempted = async () => {
			const [delivery] = (await stack.hivepost.listDeliveries({ endpoint_id: id })).body.deliveries;
			return (await stack.hivepost.getDelivery(delivery.id)).body;
		};
		await waitFor(async () => (await attempted()).attempts.length > 0, 15_000, "the first attempt");
		const delivery = await attempted();
		expect(delivery.status).toBe("retrying");
		expect(delivery.attempts).toEqual([
			expect.objectContaining({
				number: 1,
				status_code: null,
				error: expect.stringMatching(/^refused: the destination is a loopback address/),
			}),
		]);
		expect(internal.received).toEqual([]);
		expect(internal.peakOpenRequests).toBe(0);
	});
});
