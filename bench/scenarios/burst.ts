/**
 * One account's burst beside another account's steady traffic, both sharing
 * the queues and D1 (bench/README.md, "One account's burst"): a measurement,
 * no target.
 */
import type { HivepostClient } from "../../scripts/lib/hivepostClient.ts";
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { closedLoopFor, fixedRateWhile, latencySummary, percentile } from "../lib/load.ts";
import { BURST, burstPlannedQuietEvents, CONCURRENCY } from "../settings.ts";
import { samples } from "./throughput.ts";

type BurstPhase = "baseline" | "burst" | "after";

/** One of quiet's events: when it was sent, how long its POST took, and its id (null if the POST failed). */
interface QuietEvent {
	sentAt: number;
	postMs: number;
	eventId: string | null;
}

/** Whether the account `uid` has a delivery pending or retrying, from its deliveries API (one page each suffices). */
async function hasUnfinishedDeliveries(hivepost: HivepostClient, uid: string): Promise<boolean> {
	const pages = await Promise.all((["pending", "retrying"] as const).map((status) => hivepost.account(uid).listDeliveries({ status })));
	return pages.some((page) => page.body.deliveries.length > 0);
}

/** How many of the account's endpoints are in each delivery state (healthy, slow, isolated, saturated). */
async function endpointStates(hivepost: HivepostClient, uid: string): Promise<Record<string, number>> {
	const { endpoints } = (await hivepost.account(uid).listEndpoints()).body;
	const states: Record<string, number> = {};
	for (const endpoint of endpoints) states[endpoint.delivery_state.state] = (states[endpoint.delivery_state.state] ?? 0) + 1;
	return states;
}

/**
 * Account `quiet` (1 endpoint on the sink) sends BURST.quietRate events/s for the whole scenario: for
 * BURST.baselineSeconds before the burst, during it, and after it until noisy's backlog has drained. Account `noisy`
 * (10 endpoints on the sink) sends as many events as the stack accepts for BURST.burstSeconds: CONCURRENCY requests in
 * flight. Quiet's latency = the sink's receive time of an event's first attempt at quiet's endpoint minus the time the
 * client sent it (same clock), summed up by the phase the event was sent in. Noisy's backlog has drained when the sink
 * holds every noisy delivery and D1 has none pending or retrying. Both accounts are deleted afterwards.
 */
export async function burstScenario(stack: BenchStack) {
	const { hivepost, sink } = stack;
	const quietPath = "/burst/quiet";
	const noisyPathPart = " /burst/noisy/";
	const postEvent = async (uid: string, index: number) => (await hivepost.ingest(samples[index % samples.length], { account: uid })).body;
	stack.phase("burst: waiting until nothing is in flight");
	await stack.waitUntilIdle("before the burst scenario");
	const scenarioStarted = Date.now();
	await hivepost.accounts.create("quiet");
	await hivepost.accounts.create("noisy");
	await hivepost.account("quiet").createEndpoint({ url: `${sink.url}${quietPath}` });
	for (let i = 0; i < BURST.noisyEndpoints; i++) await hivepost.account("noisy").createEndpoint({ url: `${sink.url}/burst/noisy/${i}` });
	// Phase boundaries (Date.now()): quiet's events sent before `burstStart` are the baseline, before `burstEnd` the burst's.
	let burstStart = Number.POSITIVE_INFINITY;
	let burstEnd = Number.POSITIVE_INFINITY;
	let stopQuiet = false;
	sink.track(0);
	try {
		const quietEvents: QuietEvent[] = [];
		let quietDone = 0;
		const quietLoad = fixedRateWhile(
			() => !stopQuiet,
			BURST.quietRate,
			async (i) => {
				const event: QuietEvent = { sentAt: Date.now(), postMs: Number.NaN, eventId: null };
				quietEvents.push(event);
				try {
					event.eventId = (await postEvent("quiet", i)).event_id;
				} finally {
					event.postMs = Date.now() - event.sentAt;
				}
			},
			// The bar counts quiet's events known ahead (before and during the burst) only.
			() => {
				if (++quietDone <= burstPlannedQuietEvents) stack.tick();
			},
		);
		stack.phase(`burst: quiet alone (${BURST.baselineSeconds} s baseline)`);
		await new Promise((resolve) => setTimeout(resolve, BURST.baselineSeconds * 1000));

		stack.phase(`burst: noisy sends ${CONCURRENCY} at once for ${BURST.burstSeconds} s`);
		burstStart = Date.now();
		let noisyDeliveries = 0;
		const noisyIngest = await closedLoopFor(BURST.burstSeconds * 1000, CONCURRENCY, async (i) => {
			// Not `noisyDeliveries += (await …)`: that reads the sum before the await, and the 16 lanes would overwrite each other's.
			const { deliveries } = await postEvent("noisy", i);
			noisyDeliveries += deliveries;
		});
		burstEnd = Date.now();

		stack.phase(`burst: waiting for noisy's ${noisyDeliveries} deliveries to drain`);
		const noisyArrivals = () => [...sink.firstArrival].filter(([key]) => key.includes(noisyPathPart));
		// The sink first (no load on the stack), then D1: none of noisy's deliveries left pending or retrying.
		const drained = await waitUntil(
			async () => noisyArrivals().length >= noisyDeliveries && !(await hasUnfinishedDeliveries(hivepost, "noisy")),
			BURST.drainWaitMs,
			50,
		);
		const drainedAt = Date.now();
		stopQuiet = true;
		const states = { quiet: await endpointStates(hivepost, "quiet"), noisy: await endpointStates(hivepost, "noisy") };
		const quietResult = await quietLoad;
		const lastQuietAt = Date.now();
		stack.phase(`burst: waiting up to ${BURST.waitMs / 1000} s for quiet's last deliveries`);
		const arrivedAt = (event: QuietEvent) => (event.eventId === null ? undefined : sink.firstArrivalAt(event.eventId, quietPath));
		// Bounded, and no error when it runs out: what has not arrived by then is reported as missing.
		await waitUntil(() => quietEvents.every((event) => event.eventId === null || arrivedAt(event) !== undefined), BURST.waitMs, 100);
		const waitedMs = Date.now() - lastQuietAt;

		const phaseOf = (event: QuietEvent): BurstPhase =>
			event.sentAt < burstStart ? "baseline" : event.sentAt < burstEnd ? "burst" : "after";
		const phase = (name: BurstPhase) => {
			const sent = quietEvents.filter((event) => phaseOf(event) === name);
			const accepted = sent.filter((event) => event.eventId !== null);
			return {
				sent: sent.length,
				postErrors: sent.length - accepted.length,
				ingestP99Ms: percentile(
					sent.map((event) => event.postMs),
					99,
				),
				...latencySummary(accepted.map((event) => (arrivedAt(event) ?? Number.POSITIVE_INFINITY) - event.sentAt)),
			};
		};
		const quiet = { baseline: phase("baseline"), burst: phase("burst"), after: phase("after") };
		const lastNoisyArrival = Math.max(...noisyArrivals().map(([, at]) => at));
		const drainMs = drained ? drainedAt - burstStart : Number.POSITIVE_INFINITY;
		const result = {
			quietEventsPerSecond: BURST.quietRate,
			quietEndpoints: BURST.quietEndpoints,
			noisyEndpoints: BURST.noisyEndpoints,
			noisyConcurrency: CONCURRENCY,
			baselineSeconds: BURST.baselineSeconds,
			burstSeconds: BURST.burstSeconds,
			drainWaitMs: BURST.drainWaitMs,
			quiet: {
				...quiet,
				postErrors: quietResult.errors,
				/** How long after quiet's last POST its missing deliveries were waited for. */
				waitedMs,
			},
			noisy: {
				/** From the burst's start until its last request was answered. */
				burstMs: burstEnd - burstStart,
				eventsAccepted: noisyIngest.requests - noisyIngest.errors,
				postErrors: noisyIngest.errors,
				acceptedPerSecond: (noisyIngest.requests - noisyIngest.errors) / ((burstEnd - burstStart) / 1000),
				ingestP50Ms: percentile(noisyIngest.latencies, 50),
				ingestP99Ms: percentile(noisyIngest.latencies, 99),
				deliveries: noisyDeliveries,
				drained,
				/** From the burst's start until every noisy delivery was recorded in D1 (Infinity, null in the JSON: not within drainWaitMs). */
				drainMs,
				/** How long after its end the burst's backlog was waited for. */
				waitedAfterBurstMs: drainedAt - burstEnd,
				/** From the burst's start until the sink received the last noisy delivery. */
				lastArrivalAtSinkMs: Number.isFinite(lastNoisyArrival) ? lastNoisyArrival - burstStart : null,
				/** Noisy's deliveries ÷ drain time: the main lane's rate while it carried the backlog. */
				deliveriesPerSecond: noisyDeliveries / (drainMs / 1000),
			},
			/** Quiet's p99 during the burst ÷ its p99 before it. */
			p99Ratio: quiet.burst.p99Ms / quiet.baseline.p99Ms,
			/** The endpoints' delivery states once noisy had drained: all healthy means every delivery took the main lane. */
			endpointStatesAfter: states,
		};

		stack.phase("burst: cleaning up");
		await hivepost.accounts.delete("quiet");
		await hivepost.accounts.delete("noisy");
		await stack.waitUntilIdle("after the burst scenario");
		return { ...result, durationSeconds: Math.round((Date.now() - scenarioStarted) / 1000) };
	} finally {
		stopQuiet = true;
		sink.stopTracking();
	}
}

export type BurstResult = Awaited<ReturnType<typeof burstScenario>>;
