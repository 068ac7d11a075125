/**
 * Fair share on the real local stack (wrangler dev: workerd, local D1, the
 * three queues, the retry alarms and the account pacers) with real receivers
 * on 127.0.0.1: a small tarpit (an account whose endpoints never answer)
 * followed to the end, each of its deliveries keeping its policy, while
 * another account's endpoint, failing each first attempt at once, gets its
 * retries on time.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { hivepostClient } from "../../scripts/lib/hivepostClient.ts";
import { failFirstAttempt, neverReply, startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { E2E_TOKENS, startTestStack, type TestStack } from "../helpers/localStack";

/**
 * Sized so that the tarpit's backlog on the isolation lane (90 deliveries, each attempt cut off after 2 s) would hold
 * a retry there for well over 10 s (about 19 s when every retry took that lane, as before fair share), while the
 * tarpit still finishes in about a minute: one retry each.
 */
const RETRY_INTERVAL_SECONDS = 2;
const MAX_RETRIES = 1;
const TARPIT = { endpoints: 3, events: 30 };
/** The bound: a retry is made within this long of its due time. */
const RETRY_LATE_LIMIT_MS = 10_000;
let stack: TestStack;

beforeAll(async () => {
	stack = await startTestStack({
		RETRY_INTERVAL_SECONDS: String(RETRY_INTERVAL_SECONDS),
		MAX_RETRIES: String(MAX_RETRIES),
		DELIVERY_TIMEOUT_MS: "2000",
		STRANDED_AFTER_SECONDS: "600",
		ALLOW_PRIVATE_DESTINATIONS: "true",
	});
});

afterAll(async () => {
	await stack?.dispose();
});

it("follows a small tarpit to the end, each delivery with exactly 1 + MAX_RETRIES attempts an interval apart, while another account's retries come on time", async () => {
	const hivepost = hivepostClient({ url: stack.url, operatorToken: E2E_TOKENS.ADMIN_TOKEN, ingestToken: E2E_TOKENS.INGEST_TOKEN });
	const [hanging, failingFirst] = await Promise.all([startReceiver(neverReply), startReceiver(failFirstAttempt())]);
	try {
		await hivepost.accounts.create("tarpit");
		await hivepost.accounts.create("quiet");
		for (let i = 0; i < TARPIT.endpoints; i++) await hivepost.account("tarpit").createEndpoint({ url: `${hanging.url}/t${i}` });
		await hivepost.account("quiet").createEndpoint({ url: `${failingFirst.url}/q` });
		for (let i = 0; i < TARPIT.events; i++) await hivepost.ingest(sampleBody("ticket.created"), { account: "tarpit" });
		// The other account sends one event a second while the tarpit's deliveries time out and wait for their retries.
		const quietEvents: string[] = [];
		for (let i = 0; i < 5; i++) {
			quietEvents.push((await hivepost.ingest(sampleBody("ticket.created"), { account: "quiet" })).body.event_id);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		const requestsOf = (id: string) => failingFirst.received.filter((request) => request.headers["webhook-id"] === id);
		await waitFor(() => quietEvents.every((id) => requestsOf(id).length >= 2), 30_000, "the quiet account's retries");
		for (const id of quietEvents) {
			const [first, retry] = requestsOf(id);
			const late = retry.receivedAt - first.receivedAt - RETRY_INTERVAL_SECONDS * 1000;
			expect(late, `event ${id}'s retry, ms after its due time`).toBeLessThan(RETRY_LATE_LIMIT_MS);
			expect(late).toBeGreaterThanOrEqual(-250);
		}

		// The tarpit to the end: nothing pending or retrying.
		const unfinished = async () =>
			(
				await Promise.all(
					(["pending", "retrying"] as const).map(
						async (status) => (await hivepost.account("tarpit").listDeliveries({ status })).body.deliveries,
					),
				)
			).flat().length;
		await waitFor(async () => (await unfinished()) === 0, 150_000, "every tarpit delivery to finish", 1000);
		const deliveries = [];
		for (let cursor: string | undefined, more = true; more; ) {
			const page = (await hivepost.account("tarpit").listDeliveries({ cursor })).body;
			deliveries.push(...page.deliveries);
			cursor = page.next_cursor ?? undefined;
			more = page.next_cursor !== null;
		}
		expect(deliveries).toHaveLength(TARPIT.events * TARPIT.endpoints);
		for (const { id } of deliveries) {
			const delivery = (await hivepost.account("tarpit").getDelivery(id)).body;
			expect(delivery.status).toBe("failed");
			const automatic = delivery.attempts.filter((attempt) => !attempt.manual);
			expect(automatic.map((attempt) => attempt.number)).toEqual(Array.from({ length: 1 + MAX_RETRIES }, (_, i) => i + 1));
			const starts = automatic.map((attempt) => Date.parse(attempt.started_at));
			for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(RETRY_INTERVAL_SECONDS * 1000);
		}
		// As the receiver saw them: 1 + MAX_RETRIES requests per delivery, and no more.
		expect(hanging.received).toHaveLength(TARPIT.events * TARPIT.endpoints * (1 + MAX_RETRIES));
	} finally {
		await hanging.close();
		await failingFirst.close();
	}
}, 240_000);
