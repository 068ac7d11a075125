/**
 * Several databases on the real local stack (wrangler dev binding DB, DB_1 and
 * DB_2: test/helpers/localStack.ts): new accounts spread over all three, and
 * for an account on each, an event is delivered, retried after a failure (its
 * Durable Object alarm) and logged, with real receivers on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { E2E_TOKENS, startTestStack, type TestStack } from "../helpers/localStack";

let stack: TestStack;

beforeAll(async () => {
	stack = await startTestStack({
		RETRY_INTERVAL_SECONDS: "1",
		MAX_RETRIES: "3",
		STRANDED_AFTER_SECONDS: "60",
		ALLOW_PRIVATE_DESTINATIONS: "true",
	});
});

afterAll(async () => {
	await stack?.dispose();
});

/** An operator's API call through the project's client, answered as it came (the tests check the status). */
const call = <T>(method: string, path: string, body?: unknown) => stack.hivepost.call<T>(method, path, { body, expect: "any" });

describe("three databases on the local stack", () => {
	it("places new accounts over all three, and delivers, retries and logs for an account on each", async () => {
		const placed: string[] = [];
		for (const uid of ["acme", "beta", "gamma"]) {
			const created = await call<{ database: string }>("PUT", `/api/accounts/${uid}`, {});
			expect(created.status).toBe(201);
			placed.push(created.body.database);
		}
		// The default account is on DB.
		expect(placed).toEqual(["DB_1", "DB_2", "DB"]);

		// Each account's receiver path fails its first request and takes the second.
		const requests = new Map<string, number>();
		const receiver = await startReceiver((webhook) => {
			const n = (requests.get(webhook.path) ?? 0) + 1;
			requests.set(webhook.path, n);
			return { status: n === 1 ? 500 : 200 };
		});
		const accounts = ["default", "acme", "beta"];
		try {
			const endpoints = new Map<string, string>();
			for (const uid of accounts) {
				const endpoint = await call<{ id: string }>("POST", `/api/accounts/${uid}/endpoints`, { url: `${receiver.url}/${uid}` });
				expect(endpoint.status).toBe(201);
				endpoints.set(uid, endpoint.body.id);
			}
			for (const uid of accounts) {
				const response = await fetch(`${stack.url}/accounts/${uid}/events`, {
					method: "POST",
					headers: { "x-supportbee-key": E2E_TOKENS.INGEST_TOKEN, "content-type": "application/json" },
					body: sampleBody("ticket.created"),
				});
				expect(response.status).toBe(202);
			}
			await waitFor(
				() => accounts.every((uid) => (requests.get(`/${uid}`) ?? 0) >= 2),
				30_000,
				"a failed attempt and its retry at each account's receiver",
			);
			for (const uid of accounts) {
				const log = await call<{ deliveries: { id: string }[] }>(
					"GET",
					`/api/accounts/${uid}/deliveries?endpoint_id=${endpoints.get(uid)}`,
				);
				expect(log.body.deliveries, uid).toHaveLength(1);
				const delivery = await call<{ status: string; attempts: { status_code: number }[] }>(
					"GET",
					`/api/accounts/${uid}/deliveries/${log.body.deliveries[0].id}`,
				);
				expect(delivery.body, uid).toMatchObject({ status: "delivered", attempts: [{ status_code: 500 }, { status_code: 200 }] });
			}
		} finally {
			await receiver.close();
		}
	});
});
