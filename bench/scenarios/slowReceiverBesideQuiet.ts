/**
 * A receiver too slow for what its account sends it, beside quiet accounts (bench/README.md, "Fair share"): account
 * `steady` sends FAIRNESS.steadyRate events/s, within its fair rate, to one endpoint whose receiver answers in
 * FAIRNESS.steadyReplyMs. That is under the slow threshold, so the endpoint is never isolated, but at 3 sends at a
 * time per invocation it takes fewer a second than it is sent. Meanwhile the quiet accounts send FAIRNESS.quietRate
 * events/s each to the sink. Their first attempts must stay fast, and every steady delivery arrive.
 */
import { replyAfter, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import { createBenchAccount, deleteBenchAccounts, firstAttemptLatencies, sendSteadily } from "../lib/benchAccounts.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { latencySummary } from "../lib/load.ts";
import { FAIRNESS } from "../settings.ts";

export async function slowReceiverBesideQuietScenario(stack: BenchStack) {
	const started = Date.now();
	stack.phase(`fair share: a receiver answering in ${FAIRNESS.steadyReplyMs} ms beside quiet accounts (${FAIRNESS.slowSeconds} s)`);
	const slow = await startReceiver(replyAfter(FAIRNESS.steadyReplyMs));
	stack.openReceivers.add(slow);
	const steady = await createBenchAccount(stack, "steady", 1, slow.url);
	const quiet = [];
	for (let i = 0; i < FAIRNESS.quietAccounts; i++) quiet.push(await createBenchAccount(stack, `quiet-beside-slow-${i}`, 1));
	stack.sink.track(0);
	try {
		const until = Date.now() + FAIRNESS.slowSeconds * 1000;
		const goOn = () => Date.now() < until;
		const senders = [steady, ...quiet].map((account) => ({
			account,
			...sendSteadily(stack, account, account === steady ? FAIRNESS.steadyRate : FAIRNESS.quietRate, goOn),
		}));
		const loads = await Promise.all(senders.map((sender) => sender.load));
		const lastSentAt = Date.now();
		const latenciesOf = ({ account, events }: (typeof senders)[number]) =>
			firstAttemptLatencies(stack, account, events, account === steady ? slow : undefined);
		stack.phase(`fair share: waiting up to ${FAIRNESS.drainWaitMs / 1000} s for the steady account's backlog`);
		// Bounded, and no error when it runs out: what has not arrived by then is reported as missing.
		await waitUntil(() => senders.every((sender) => latenciesOf(sender).every(Number.isFinite)), FAIRNESS.drainWaitMs, 250);
		const waitedMs = Date.now() - lastSentAt;
		const figures = senders.map((sender, i) => ({
			uid: sender.account.uid,
			eventsPerSecond: sender.account === steady ? FAIRNESS.steadyRate : FAIRNESS.quietRate,
			events: sender.events.length,
			postErrors: loads[i].errors,
			firstAttempt: latencySummary(latenciesOf(sender)),
		}));
		return {
			settings: { ...FAIRNESS },
			steady: figures[0],
			quiet: figures.slice(1),
			/** How long after the last POST the deliveries still missing were waited for: until all had come, or the bound. */
			waitedMs,
			durationSeconds: Math.round((Date.now() - started) / 1000),
		};
	} finally {
		stack.sink.stopTracking();
		await slow.close();
		await deleteBenchAccounts(stack, [steady, ...quiet], "the slow receiver");
	}
}

export type SlowReceiverBesideQuietResult = Awaited<ReturnType<typeof slowReceiverBesideQuietScenario>>;
