/**
 * Two bursts at once (bench/README.md, "Fair share"): two accounts each send
 * as many events as the stack accepts, at the same time, to their own
 * endpoints. While both have deliveries waiting, each must drain at least a
 * third of what the two drain together.
 */

import { arrivalTimes, burstFigures, createBenchAccount, deleteBenchAccounts, sendBurst, waitUntilDrained } from "../lib/benchAccounts.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { CONCURRENCY, FAIRNESS } from "../settings.ts";

/**
 * Accounts `burst-a` and `burst-b` (FAIRNESS.burstEndpoints endpoints each) each keep CONCURRENCY requests in flight
 * for FAIRNESS.burstSeconds, side by side. "Both waiting" lasts from the bursts' start until the first of the two has
 * every delivery at the sink; each account's share is its deliveries arrived in that window ÷ both accounts'.
 */
export async function twoBurstsScenario(stack: BenchStack) {
	const started = Date.now();
	stack.phase(`fair share: two bursts at once (${FAIRNESS.burstSeconds} s)`);
	const accounts = [
		await createBenchAccount(stack, "burst-a", FAIRNESS.burstEndpoints),
		await createBenchAccount(stack, "burst-b", FAIRNESS.burstEndpoints),
	];
	stack.sink.track(0);
	try {
		const bursts = await Promise.all(accounts.map((account) => sendBurst(stack, account, FAIRNESS.burstSeconds * 1000, CONCURRENCY)));
		stack.phase(`fair share: waiting for the two bursts' ${bursts[0].deliveries + bursts[1].deliveries} deliveries`);
		const drainedAt = await Promise.all(accounts.map((account, i) => waitUntilDrained(stack, account, bursts[i], FAIRNESS.drainWaitMs)));
		const arrivals = accounts.map((account) => arrivalTimes(stack, account));
		const windowStart = Math.min(...bursts.map((burst) => burst.startedAt));
		// The first of the two to have every delivery at the sink ends the window in which both had deliveries waiting.
		const windowEnd = Math.min(
			...arrivals.map((times, i) => (times.length >= bursts[i].deliveries ? (times.at(-1) as number) : Number.POSITIVE_INFINITY)),
		);
		const inWindow = arrivals.map((times) => times.filter((at) => at >= windowStart && at <= windowEnd).length);
		const together = inWindow[0] + inWindow[1];
		return {
			settings: { burstSeconds: FAIRNESS.burstSeconds, endpoints: FAIRNESS.burstEndpoints, concurrency: CONCURRENCY },
			accounts: accounts.map((account, i) => ({
				uid: account.uid,
				...burstFigures(bursts[i], drainedAt[i]),
				/** Its deliveries that arrived while both had deliveries waiting. */
				arrivedWhileBothWaiting: inWindow[i],
				/** That ÷ both accounts' arrivals in the window: a fair share is 0.5, the target at least a third. */
				shareWhileBothWaiting: inWindow[i] / together,
			})),
			bothWaitingMs: windowEnd - windowStart,
			durationSeconds: Math.round((Date.now() - started) / 1000),
		};
	} finally {
		stack.sink.stopTracking();
		await deleteBenchAccounts(stack, accounts, "the two bursts");
	}
}

export type TwoBurstsResult = Awaited<ReturnType<typeof twoBurstsScenario>>;
