/**
 * One account's burst beside quiet and medium accounts (bench/README.md, "Fair
 * share"): first the bursting account alone (its throughput alone), then the
 * same burst while two quiet accounts and a medium one send steadily, all
 * sharing the lanes and D1. Their first attempts must stay fast while it
 * bursts and while its backlog drains, and it must keep its throughput.
 */
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import {
	burstFigures,
	createBenchAccount,
	deleteBenchAccounts,
	endpointStates,
	firstAttemptLatencies,
	phaseSummary,
	type SentEvent,
	sendBurst,
	sendSteadily,
	waitUntilDrained,
} from "../lib/benchAccounts.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { CONCURRENCY, FAIRNESS } from "../settings.ts";

/** The bursting account alone: a closed loop of CONCURRENCY requests for FAIRNESS.burstSeconds, until its backlog drained. */
async function burstAlone(stack: BenchStack) {
	stack.phase(`fair share: a burst alone (${FAIRNESS.burstSeconds} s)`);
	const noisy = await createBenchAccount(stack, "noisy-alone", FAIRNESS.burstEndpoints);
	stack.sink.track(0);
	try {
		const burst = await sendBurst(stack, noisy, FAIRNESS.burstSeconds * 1000, CONCURRENCY);
		stack.phase(`fair share: waiting for the lone burst's ${burst.deliveries} deliveries`);
		const drainedAt = await waitUntilDrained(stack, noisy, burst, FAIRNESS.drainWaitMs);
		return burstFigures(burst, drainedAt);
	} finally {
		stack.sink.stopTracking();
		await deleteBenchAccounts(stack, [noisy], "the lone burst");
	}
}

/**
 * Quiet accounts (1 endpoint each) and a medium account (FAIRNESS.mediumEndpoints endpoints) send steadily: alone for
 * FAIRNESS.baselineSeconds, then while account `noisy` bursts as above, then until noisy's backlog has drained. Their
 * latency = the sink's receive time of a delivery's first attempt minus the time the client sent the event.
 */
async function burstBeside(stack: BenchStack) {
	const quiet = [];
	for (let i = 0; i < FAIRNESS.quietAccounts; i++) quiet.push(await createBenchAccount(stack, `quiet-${i}`, 1));
	const medium = await createBenchAccount(stack, "medium", FAIRNESS.mediumEndpoints);
	const noisy = await createBenchAccount(stack, "noisy", FAIRNESS.burstEndpoints);
	let steady = true;
	stack.sink.track(0);
	try {
		const senders = [
			...quiet.map((account) => ({ account, ...sendSteadily(stack, account, FAIRNESS.quietRate, () => steady) })),
			{ account: medium, ...sendSteadily(stack, medium, FAIRNESS.mediumRate, () => steady) },
		];
		stack.phase(`fair share: quiet and medium alone (${FAIRNESS.baselineSeconds} s)`);
		await new Promise((resolve) => setTimeout(resolve, FAIRNESS.baselineSeconds * 1000));
		stack.phase(`fair share: noisy bursts beside them (${FAIRNESS.burstSeconds} s)`);
		const burst = await sendBurst(stack, noisy, FAIRNESS.burstSeconds * 1000, CONCURRENCY);
		stack.phase(`fair share: waiting for noisy's ${burst.deliveries} deliveries to drain`);
		const drainedAt = await waitUntilDrained(stack, noisy, burst, FAIRNESS.drainWaitMs);
		steady = false;
		const loads = await Promise.all(senders.map((sender) => sender.load));
		stack.phase(`fair share: waiting up to ${FAIRNESS.waitMs / 1000} s for the steady accounts' last deliveries`);
		const lastSentAt = Date.now();
		const allArrived = () => senders.every(({ account, events }) => firstAttemptLatencies(stack, account, events).every(Number.isFinite));
		// Bounded, and no error when it runs out: what has not arrived by then is reported as missing.
		await waitUntil(allArrived, FAIRNESS.waitMs, 100);
		const waitedMs = Date.now() - lastSentAt;
		const end = drainedAt ?? Date.now();
		const phases = (account: (typeof senders)[number]["account"], events: SentEvent[]) => ({
			baseline: phaseSummary(stack, account, events, 0, burst.startedAt),
			burst: phaseSummary(stack, account, events, burst.startedAt, burst.endedAt),
			after: phaseSummary(stack, account, events, burst.endedAt, end),
			/** While it bursts and while its backlog drains: what the target is stated over. */
			duringAndAfter: phaseSummary(stack, account, events, burst.startedAt, end),
		});
		return {
			steady: senders.map(({ account, events }, i) => ({
				uid: account.uid,
				endpoints: account.paths.length,
				eventsPerSecond: account === medium ? FAIRNESS.mediumRate : FAIRNESS.quietRate,
				events: events.length,
				postErrors: loads[i].errors,
				...phases(account, events),
			})),
			noisy: burstFigures(burst, drainedAt),
			/** How long after the steady accounts' last POST their missing deliveries were waited for. */
			waitedMs,
			endpointStatesAfter: { medium: await endpointStates(stack, medium.uid), noisy: await endpointStates(stack, noisy.uid) },
		};
	} finally {
		steady = false;
		stack.sink.stopTracking();
		await deleteBenchAccounts(stack, [...quiet, medium, noisy], "the burst beside others");
	}
}

export async function burstBesideOthersScenario(stack: BenchStack) {
	const started = Date.now();
	stack.phase("fair share: waiting until nothing is in flight");
	await stack.waitUntilIdle("before the fair-share scenarios");
	const alone = await burstAlone(stack);
	const beside = await burstBeside(stack);
	return {
		settings: { ...FAIRNESS, concurrency: CONCURRENCY },
		alone,
		beside,
		/** Noisy's deliveries/s beside the others ÷ alone. */
		besideToAlone: beside.noisy.deliveriesPerSecond / alone.deliveriesPerSecond,
		durationSeconds: Math.round((Date.now() - started) / 1000),
	};
}

export type BurstBesideOthersResult = Awaited<ReturnType<typeof burstBesideOthersScenario>>;
