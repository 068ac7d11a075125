/**
 * Accounts as the fairness scenarios use them (bench/README.md, "Fair share"):
 * created with endpoints on the sink (or on a receiver), sending events at a
 * steady rate or as fast as the stack accepts, their deliveries followed to
 * where they arrive, their drain awaited, and deleted afterwards.
 */
import type { Receiver } from "../../scripts/lib/receiver.ts";
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import { samples } from "../scenarios/throughput.ts";
import type { BenchStack } from "./benchStack.ts";
import { closedLoopFor, fixedRateWhile, type LoadResult, latencySummary, percentile } from "./load.ts";

export interface BenchAccount {
	uid: string;
	/** Its endpoints' paths, at `url`. */
	paths: string[];
	url: string;
}

/** Creates account `uid` with `endpoints` endpoints at `url` (the sink's by default), paths `/<uid>/0` … */
export async function createBenchAccount(stack: BenchStack, uid: string, endpoints: number, url = stack.sink.url): Promise<BenchAccount> {
	await stack.hivepost.accounts.create(uid);
	const paths = Array.from({ length: endpoints }, (_, i) => `/${uid}/${i}`);
	for (const path of paths) await stack.hivepost.account(uid).createEndpoint({ url: `${url}${path}` });
	return { uid, paths, url };
}

/** One event an account sent: when, how long its POST took, and its id (null if the POST failed). */
export interface SentEvent {
	sentAt: number;
	postMs: number;
	eventId: string | null;
}

async function postEvent(stack: BenchStack, account: BenchAccount, index: number, sent: SentEvent[]): Promise<number> {
	const event: SentEvent = { sentAt: Date.now(), postMs: Number.NaN, eventId: null };
	sent.push(event);
	try {
		const receipt = (await stack.hivepost.ingest(samples[index % samples.length], { account: account.uid })).body;
		event.eventId = receipt.event_id;
		return receipt.deliveries;
	} finally {
		event.postMs = Date.now() - event.sentAt;
	}
}

/** `account` sends `rate` events/s (open loop) for as long as `goOn()` says so. */
export function sendSteadily(stack: BenchStack, account: BenchAccount, rate: number, goOn: () => boolean) {
	const events: SentEvent[] = [];
	const load = fixedRateWhile(
		() => goOn(),
		rate,
		async (i) => void (await postEvent(stack, account, i, events)),
		stack.tick,
	);
	return { events, load };
}

/** `account` sends as many events as the stack accepts: `concurrency` requests in flight for `ms`. */
export async function sendBurst(stack: BenchStack, account: BenchAccount, ms: number, concurrency: number) {
	const events: SentEvent[] = [];
	let deliveries = 0;
	const startedAt = Date.now();
	const load: LoadResult = await closedLoopFor(ms, concurrency, async (i) => {
		// Not `deliveries += await …`: that reads the sum before the await, and the lanes would overwrite each other's.
		const added = await postEvent(stack, account, i, events);
		deliveries += added;
	});
	return { events, deliveries, load, startedAt, endedAt: Date.now() };
}

export type Burst = Awaited<ReturnType<typeof sendBurst>>;

/** When the first request of `eventId` arrived at `path` of the sink, or of `receiver` if given; undefined if none has. */
export function firstArrival(stack: BenchStack, eventId: string, path: string, receiver?: Receiver): number | undefined {
	if (!receiver) return stack.sink.firstArrivalAt(eventId, path);
	return receiver.received.find((webhook) => webhook.headers["webhook-id"] === eventId && webhook.path === path)?.receivedAt;
}

/** Each accepted event's delivery to each of the account's endpoints: its latency to its first attempt (Infinity if it never came). */
export function firstAttemptLatencies(stack: BenchStack, account: BenchAccount, events: readonly SentEvent[], receiver?: Receiver) {
	return events.flatMap((event) =>
		event.eventId === null
			? []
			: account.paths.map(
					(path) => (firstArrival(stack, event.eventId as string, path, receiver) ?? Number.POSITIVE_INFINITY) - event.sentAt,
				),
	);
}

/**
 * The latency summary of the events sent in [from, to), how many of their POSTs failed, and their POSTs' own p99: the
 * part of the latency spent in ingest (D1 and the Worker are shared too), not waiting in a lane.
 */
export function phaseSummary(stack: BenchStack, account: BenchAccount, events: readonly SentEvent[], from: number, to: number) {
	const sent = events.filter((event) => event.sentAt >= from && event.sentAt < to);
	return {
		postErrors: sent.filter((event) => event.eventId === null).length,
		ingestP99Ms: percentile(
			sent.map((event) => event.postMs),
			99,
		),
		...latencySummary(firstAttemptLatencies(stack, account, sent)),
	};
}

/** Arrivals at the sink of the account's deliveries, in time order. */
export function arrivalTimes(stack: BenchStack, account: BenchAccount): number[] {
	const prefix = ` /${account.uid}/`;
	return [...stack.sink.firstArrival]
		.filter(([key]) => key.includes(prefix))
		.map(([, at]) => at)
		.sort((a, b) => a - b);
}

/** Whether the account has a delivery pending or retrying, from its deliveries API (one page each suffices). */
async function hasUnfinishedDeliveries(stack: BenchStack, uid: string): Promise<boolean> {
	const pages = await Promise.all(
		(["pending", "retrying"] as const).map((status) => stack.hivepost.account(uid).listDeliveries({ status })),
	);
	return pages.some((page) => page.body.deliveries.length > 0);
}

/**
 * Waits (at most `waitMs`) until the burst has drained: the sink holds every delivery of the account, and D1 has none
 * of them pending or retrying (the sink is polled first, so D1 is read only at the end). Returns when, or null.
 */
export async function waitUntilDrained(stack: BenchStack, account: BenchAccount, burst: Burst, waitMs: number): Promise<number | null> {
	const drained = await waitUntil(
		async () => arrivalTimes(stack, account).length >= burst.deliveries && !(await hasUnfinishedDeliveries(stack, account.uid)),
		waitMs,
		50,
	);
	return drained ? Date.now() : null;
}

/** A burst's figures: accepted events, failed POSTs, its deliveries, and how fast they drained (from its start). */
export function burstFigures(burst: Burst, drainedAt: number | null) {
	const burstMs = burst.endedAt - burst.startedAt;
	const accepted = burst.load.requests - burst.load.errors;
	const drainMs = drainedAt === null ? Number.POSITIVE_INFINITY : drainedAt - burst.startedAt;
	return {
		burstMs,
		eventsAccepted: accepted,
		postErrors: burst.load.errors,
		acceptedPerSecond: accepted / (burstMs / 1000),
		deliveries: burst.deliveries,
		drained: drainedAt !== null,
		/** From the burst's start until every delivery was recorded in D1 (Infinity, null in the JSON: not within the wait). */
		drainMs,
		/** Deliveries ÷ drain time: the rate the account got. */
		deliveriesPerSecond: burst.deliveries / (drainMs / 1000),
	};
}

/** The status of each of the account's endpoints' delivery states (healthy, slow, isolated, saturated, throttled), counted. */
export async function endpointStates(stack: BenchStack, uid: string): Promise<Record<string, number>> {
	const { endpoints } = (await stack.hivepost.account(uid).listEndpoints()).body;
	const states: Record<string, number> = {};
	for (const endpoint of endpoints) states[endpoint.delivery_state.state] = (states[endpoint.delivery_state.state] ?? 0) + 1;
	return states;
}

/** Deletes the accounts (cancelling what they left unfinished) and waits until nothing is in flight. */
export async function deleteBenchAccounts(stack: BenchStack, accounts: readonly BenchAccount[], what: string): Promise<void> {
	for (const account of accounts) await stack.hivepost.accounts.delete(account.uid);
	await stack.waitUntilIdle(`after ${what}`);
}
