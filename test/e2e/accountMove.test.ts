/**
 * Moving an account on the real local stack (wrangler dev binding DB, DB_1 and DB_2): events sent before and
 * throughout a move of acme from DB_1 to DB_2 are all accepted (202, or 503 account_moving followed after its
 * Retry-After), every one reaches both of its endpoints, and the failing endpoint gets exactly 1 + MAX_RETRIES
 * attempts of each, neither one more nor one fewer for the move, with real receivers on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { E2E_TOKENS, startTestStack, type TestStack } from "../helpers/localStack";

const MAX_RETRIES = 2;

let stack: TestStack;

beforeAll(async () => {
	stack = await startTestStack({
		RETRY_INTERVAL_SECONDS: "2",
		MAX_RETRIES: String(MAX_RETRIES),
		STRANDED_AFTER_SECONDS: "60",
		// The switch waits twice this once claims stop (for a Retry now in flight): the default 10 s would add 20 s.
		DELIVERY_TIMEOUT_MS: "3000",
		ALLOW_PRIVATE_DESTINATIONS: "true",
	});
});

afterAll(async () => {
	await stack?.dispose();
});

/** An operator's API call through the project's client, answered as it came (the tests check the status). */
const call = <T>(method: string, path: string, body?: unknown) => stack.hivepost.call<T>(method, path, { body, expect: "any" });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one event to acme as a helpdesk would: a 503 is sent again after its Retry-After. Returns every status seen. */
async function send(statuses: number[]): Promise<void> {
	for (;;) {
		const response = await fetch(`${stack.url}/accounts/acme/events`, {
			method: "POST",
			headers: { "x-supportbee-key": E2E_TOKENS.INGEST_TOKEN, "content-type": "application/json" },
			body: sampleBody("ticket.created"),
		});
		statuses.push(response.status);
		await response.text();
		if (response.status !== 503) return;
		await sleep(Number(response.headers.get("retry-after")) * 1000);
	}
}

/** Requests per delivery (webhook-id) at each receiver path. */
function perDelivery(requests: { path: string; id: string }[], path: string): number[] {
	const counts = new Map<string, number>();
	for (const request of requests) if (request.path === path) counts.set(request.id, (counts.get(request.id) ?? 0) + 1);
	return [...counts.values()];
}

describe("moving an account on the local stack", () => {
	it("accepts and delivers every event sent before and during the move, with the failing endpoint's retries exact", async () => {
		const created = await call<{ database: string }>("PUT", "/api/accounts/acme", {});
		expect(created.body.database).toBe("DB_1");
		const requests: { path: string; id: string }[] = [];
		const receiver = await startReceiver((webhook) => {
			requests.push({ path: webhook.path, id: String(webhook.headers["webhook-id"]) });
			return { status: webhook.path === "/bad" ? 500 : 200 };
		});
		try {
			for (const path of ["/good", "/bad"]) {
				expect((await call("POST", "/api/accounts/acme/endpoints", { url: `${receiver.url}${path}` })).status).toBe(201);
			}
			const statuses: number[] = [];
			for (let i = 0; i < 20; i++) await send(statuses);
			const started = await call<{ moving_to: string }>("POST", "/api/accounts/acme/move", { database: "DB_2" });
			expect(started).toEqual({ status: 202, body: { uid: "acme", database: "DB_1", moving_to: "DB_2" } });
			let sentDuring = 0;
			for (;;) {
				const account = await call<{ database: string; move: unknown }>("GET", "/api/accounts/acme");
				if (account.body.move === null) {
					expect(account.body.database).toBe("DB_2");
					break;
				}
				await send(statuses);
				sentDuring++;
			}
			expect(sentDuring).toBeGreaterThan(0);
			for (let i = 0; i < 5; i++) await send(statuses);
			const accepted = statuses.filter((status) => status === 202).length;
			expect(statuses.filter((status) => status !== 202 && status !== 503)).toEqual([]);
			expect(accepted).toBe(25 + sentDuring);
			const attempts = 1 + MAX_RETRIES;
			await waitFor(
				() =>
					perDelivery(requests, "/good").length === accepted &&
					perDelivery(requests, "/bad").filter((n) => n >= attempts).length === accepted,
				60_000,
				"every event at the good endpoint, and every attempt at the failing one",
			);
			// One more retry interval: no attempt beyond the budget comes.
			await sleep(3_000);
			expect(perDelivery(requests, "/good").every((n) => n === 1)).toBe(true);
			expect(perDelivery(requests, "/bad").every((n) => n === attempts)).toBe(true);
		} finally {
			await receiver.close();
		}
	}, 120_000);
});
