/**
 * Crash test on the real local stack: while a burst of events fans out, the
 * whole local Worker process group is killed (SIGKILL) and started again on
 * the same state. Local queue messages live in memory and die with it, and
 * local Cron Triggers do not fire by themselves, so the sweep (triggered here
 * through wrangler's /__scheduled) is what recovers the work. Deliveries the
 * dead Worker had claimed are taken up again once their claim lease ends.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { sampleBody } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { startTestStack, type TestStack } from "../helpers/localStack.ts";

const EVENTS = 500;
const KILL_AFTER_ACCEPTED = 200;
const CONCURRENCY = 16;
const DELIVERY_TIMEOUT_MS = 3000;
/** A delivery claimed by the Worker that died is free again this long after its claim: claimLeaseMs in src/delivery/lifecycle.ts. */
const CLAIM_LEASE_MS = 2 * DELIVERY_TIMEOUT_MS + 60_000;

let stack: TestStack;
let receivers: Receiver[];

beforeAll(async () => {
	stack = await startTestStack({
		RETRY_INTERVAL_SECONDS: "1",
		MAX_RETRIES: "3",
		DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
		STRANDED_AFTER_SECONDS: "2",
		ALLOW_PRIVATE_DESTINATIONS: "true",
	});
	// Receivers that take a moment, so deliveries are in flight when the Worker dies.
	receivers = await Promise.all(
		[0, 1].map(() => startReceiver(async () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 5)))),
	);
	for (const receiver of receivers) {
		const { status } = await stack.hivepost.createEndpoint({ url: `${receiver.url}/hook` }, { expect: "any" });
		expect(status).toBe(201);
	}
});

afterAll(async () => {
	await Promise.all(receivers?.map((receiver) => receiver.close()) ?? []);
	await stack?.dispose();
});

it("delivers every accepted event to every endpoint after a SIGKILL mid-burst", async () => {
	const bodies = ["ticket.created", "customer.reply.created", "agent.reply.created", "comment.created"].map(sampleBody);
	const accepted = new Set<string>();
	const uniqueReceived = () => receivers.reduce((sum, r) => sum + new Set(r.received.map((x) => x.headers["webhook-id"])).size, 0);
	let receivedAtKill = 0;
	let killed = false;
	let next = 0;
	const post = async (target: TestStack) => {
		while (next < EVENTS) {
			const index = next++;
			try {
				const { status, body } = await target.hivepost.ingest(bodies[index % bodies.length], { expect: "any" });
				if (status === 202) accepted.add(body.event_id);
			} catch {
				// The Worker died under this request: it was never accepted (the sender would retry it).
			}
			if (!killed && accepted.size >= KILL_AFTER_ACCEPTED) {
				killed = true;
				await stack.stop("SIGKILL");
				receivedAtKill = uniqueReceived();
			}
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, () => post(stack)));
	expect(killed).toBe(true);
	const acceptedBeforeKill = accepted.size;
	// Work was still in flight when the Worker died: recovering it is what this test is about.
	expect(receivedAtKill).toBeLessThan(acceptedBeforeKill * receivers.length);

	stack = await stack.restart();
	// The rest of the burst goes to the restarted Worker.
	next = acceptedBeforeKill;
	await Promise.all(Array.from({ length: CONCURRENCY }, () => post(stack)));
	expect(accepted.size).toBeGreaterThanOrEqual(EVENTS - CONCURRENCY);

	const missing = () =>
		receivers.flatMap((receiver) => {
			const seen = new Set(receiver.received.map((r) => String(r.headers["webhook-id"])));
			return [...accepted].filter((id) => !seen.has(id));
		});
	const recoveryStarted = Date.now();
	const sweepEverySecond = setInterval(() => {
		fetch(`${stack.url}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
	}, 1000);
	try {
		await waitFor(() => missing().length === 0, CLAIM_LEASE_MS + 30_000, "every accepted event at every endpoint");
	} finally {
		clearInterval(sweepEverySecond);
	}
	const duplicates = receivers.reduce(
		(sum, r) => sum + r.received.length - new Set(r.received.map((x) => x.headers["webhook-id"])).size,
		0,
	);
	console.log(
		`crash test: ${accepted.size} events accepted (${acceptedBeforeKill} before the SIGKILL), ` +
			`${accepted.size * receivers.length} deliveries expected, all received ${((Date.now() - recoveryStarted) / 1000).toFixed(1)} s after the burst; ` +
			`${duplicates} duplicate deliveries (same webhook-id)`,
	);
	expect(missing()).toEqual([]);
}, 240_000);
