/**
 * Retries beside a tarpit (bench/README.md, "Fair share"): one account has
 * endpoints that never answer and hundreds of deliveries waiting for their
 * timeouts and retries; another account's endpoint fails each first attempt
 * at once. The other account's retries must come within 10 s of their due
 * time, its first attempts stay fast, and every delivery keep its policy.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { failFirstAttempt, neverReply, type Receiver, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import { createBenchAccount, deleteBenchAccounts, endpointStates, firstAttemptLatencies, sendSteadily } from "../lib/benchAccounts.ts";
import type { BenchStack, DeliveryAttempts } from "../lib/benchStack.ts";
import { closedLoop, latencySummary, percentile } from "../lib/load.ts";
import { CONCURRENCY, FAIRNESS, SETTINGS } from "../settings.ts";
import { samples } from "./throughput.ts";

const intervalMs = Number(SETTINGS.RETRY_INTERVAL_SECONDS) * 1000;
const maxAttempts = Number(SETTINGS.MAX_RETRIES) + 1;

/** A delivery's policy (bench/README.md): at most 1 + MAX_RETRIES automatic attempts, each at least the interval after the previous; `failed` ones with all of them. */
function keepsPolicy(delivery: DeliveryAttempts): boolean {
	const times = delivery.attemptsStartedAt;
	const spaced = times.every((at, i) => i === 0 || at - times[i - 1] >= intervalMs);
	const count = delivery.status === "failed" ? times.length === maxAttempts : times.length <= maxAttempts;
	return spaced && count;
}

/** How late each delivery's retry came at `receiver`: its second request's arrival minus (its first's + the retry interval). */
function retryLateness(receiver: Receiver, eventIds: readonly string[]): number[] {
	return eventIds.map((id) => {
		const [first, retry] = receiver.received.filter((webhook) => webhook.headers["webhook-id"] === id);
		return first && retry ? retry.receivedAt - first.receivedAt - intervalMs : Number.POSITIVE_INFINITY;
	});
}

/**
 * Account `tarpit` (FAIRNESS.tarpitEndpoints endpoints on a receiver that never answers) sends FAIRNESS.tarpitEvents
 * events; once its endpoints are isolated, account `retrier` (one endpoint on a receiver that answers 500 to each first attempt, 200 to the next)
 * sends FAIRNESS.quietRate events/s for FAIRNESS.retrySeconds. Afterwards, the retrier's deliveries, and every tarpit
 * delivery finished by then, are checked against the retry policy in D1.
 */
export async function retriesBesideTarpitScenario(stack: BenchStack) {
	const started = Date.now();
	stack.phase("fair share: retries beside a tarpit");
	const hanging = await startReceiver(neverReply);
	const failingFirst = await startReceiver(failFirstAttempt());
	for (const receiver of [hanging, failingFirst]) stack.openReceivers.add(receiver);
	const tarpit = await createBenchAccount(stack, "tarpit", FAIRNESS.tarpitEndpoints, hanging.url);
	const retrier = await createBenchAccount(stack, "retrier", 1, failingFirst.url);
	try {
		const tarpitIngest = await closedLoop(FAIRNESS.tarpitEvents, CONCURRENCY, async (i) => {
			await stack.hivepost.ingest(samples[i % samples.length], { account: tarpit.uid });
		});
		// The main-lane batch that met the dead endpoints waits out the sends it started before marking them, for at most
		// DELIVERY_TIMEOUT_MS (the isolation scenario measures that wait: "beside a hanging endpoint"). From then on the
		// tarpit's deliveries wait in the isolation lane and for their retries, and that is the state the issue asks about.
		stack.phase("fair share: waiting until the tarpit's endpoints are isolated and the sends that found them have ended");
		await waitUntil(async () => (await endpointStates(stack, tarpit.uid)).healthy === undefined, FAIRNESS.waitMs, 250);
		await sleep(Number(SETTINGS.DELIVERY_TIMEOUT_MS));
		stack.phase(`fair share: the retrier sends ${FAIRNESS.quietRate} events/s beside the tarpit (${FAIRNESS.retrySeconds} s)`);
		const until = Date.now() + FAIRNESS.retrySeconds * 1000;
		const { events, load } = sendSteadily(stack, retrier, FAIRNESS.quietRate, () => Date.now() < until);
		const sent = await load;
		const lastSentAt = Date.now();
		const eventIds = events.flatMap((event) => (event.eventId === null ? [] : [event.eventId]));
		stack.phase(`fair share: waiting up to ${FAIRNESS.waitMs / 1000} s for the retrier's retries`);
		// Bounded, and no error when it runs out: a retry that has not come by then counts as later than any that did.
		await waitUntil(() => retryLateness(failingFirst, eventIds).every(Number.isFinite), FAIRNESS.waitMs, 100);
		const waitedMs = Date.now() - lastSentAt;
		const [tarpitDeliveries, retrierDeliveries] = await Promise.all([stack.bench.attempts(tarpit.uid), stack.bench.attempts(retrier.uid)]);
		const finished = tarpitDeliveries.filter((delivery) => delivery.status === "failed");
		const lateness = retryLateness(failingFirst, eventIds);
		return {
			settings: { ...FAIRNESS, retryIntervalMs: intervalMs, maxAttempts, deliveryTimeoutMs: Number(SETTINGS.DELIVERY_TIMEOUT_MS) },
			tarpit: {
				events: FAIRNESS.tarpitEvents,
				postErrors: tarpitIngest.errors,
				deliveries: tarpitDeliveries.length,
				requestsAtReceiver: hanging.received.length,
				finished: finished.length,
				finishedOffPolicy: finished.filter((delivery) => !keepsPolicy(delivery)).length,
				offPolicy: tarpitDeliveries.filter((delivery) => !keepsPolicy(delivery)).length,
			},
			retrier: {
				events: events.length,
				postErrors: sent.errors,
				firstAttempt: latencySummary(firstAttemptLatencies(stack, retrier, events, failingFirst)),
				retryLateness: { ...latencySummary(lateness), p50Ms: percentile(lateness, 50) },
				deliveries: retrierDeliveries.length,
				delivered: retrierDeliveries.filter((delivery) => delivery.status === "delivered").length,
				offPolicy: retrierDeliveries.filter((delivery) => !keepsPolicy(delivery)).length,
			},
			/** How long after the retrier's last POST its missing retries were waited for. */
			waitedMs,
			durationSeconds: Math.round((Date.now() - started) / 1000),
		};
	} finally {
		stack.phase("fair share: cleaning up after the tarpit");
		await hanging.close();
		await failingFirst.close();
		await deleteBenchAccounts(stack, [tarpit, retrier], "the tarpit");
	}
}

export type RetriesBesideTarpitResult = Awaited<ReturnType<typeof retriesBesideTarpitScenario>>;
