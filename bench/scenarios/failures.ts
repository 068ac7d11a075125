/**
 * The failure run (bench/README.md, "Method"): at N = TARGET_N the sink answers
 * 500 to FAIL_RATE of all answers (a seeded generator, so every run draws the
 * same answers). Once nothing is pending or retrying, each delivery's answers
 * at the sink must be failures followed by one success within 1 + MAX_RETRIES
 * attempts, or exactly that many failures; and the sink's counts must equal
 * what D1 recorded.
 */
import { waitFor } from "../../scripts/lib/waitFor.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { closedLoop } from "../lib/load.ts";
import { CONCURRENCY, FAIL_RATE, SETTINGS, SIZES, TARGET_N } from "../settings.ts";
import { send } from "./throughput.ts";

/** Exact: failures then one success within the budget, or exactly the whole budget of failures. */
function exactAttempts(answers: number[], maxAttempts: number): boolean {
	const failures = answers.filter((status) => status !== 200).length;
	const succeeded = answers.at(-1) === 200;
	return succeeded ? failures === answers.length - 1 && answers.length <= maxAttempts : answers.length === maxAttempts;
}

export async function failureRun(stack: BenchStack) {
	const { sink, bench } = stack;
	stack.phase(`failure mode: ${FAIL_RATE * 100}% 500s at N=${TARGET_N}`);
	const maxAttempts = Number(SETTINGS.MAX_RETRIES) + 1;
	const before = await bench.recorded();
	await bench.resetWork();
	sink.track(FAIL_RATE, 42);
	const ingest = await closedLoop(SIZES.failureEvents, CONCURRENCY, (i) => send(stack, "hivepost", TARGET_N, i), stack.tick);
	const deliveries = (SIZES.failureEvents - ingest.errors) * TARGET_N;
	const sinkAnswers = () => [...sink.answers.values()].reduce((sum, answers) => sum + answers.length, 0);
	stack.phase("failure mode: waiting for the retries");
	await waitFor(
		async () => {
			const now = await bench.recorded();
			const unfinished = (now.deliveries.pending ?? 0) + (now.deliveries.retrying ?? 0);
			return sink.answers.size >= deliveries && unfinished === 0 && now.attempts - before.attempts >= sinkAnswers();
		},
		120_000,
		"every failed delivery to finish its retries",
		100,
	);
	const after = await bench.recorded();
	const work = await bench.work();
	sink.stopTracking();
	const sequences = [...sink.answers.values()];
	const attemptsSeen = sinkAnswers();
	const delta = (status: string) => (after.deliveries[status] ?? 0) - (before.deliveries[status] ?? 0);
	const result = {
		n: TARGET_N,
		failRate: FAIL_RATE,
		retryIntervalSeconds: Number(SETTINGS.RETRY_INTERVAL_SECONDS),
		maxAttemptsPerDelivery: maxAttempts,
		deliveries,
		deliveriesSeenAtSink: sequences.length,
		attemptsSeenAtSink: attemptsSeen,
		attemptsRecordedInD1: after.attempts - before.attempts,
		attemptsPerDelivery: attemptsSeen / sequences.length,
		answers500: sequences.flat().filter((status) => status !== 200).length,
		deliveriesWithWrongAttemptCount: sequences.filter((answers) => !exactAttempts(answers, maxAttempts)).length,
		delivered: { sink: sequences.filter((answers) => answers.at(-1) === 200).length, d1: delta("delivered") },
		failed: { sink: sequences.filter((answers) => answers.at(-1) !== 200).length, d1: delta("failed") },
		retryAlarms: work.retry.invocations,
		retryScheduleCalls: work.delivery.doRequests + work.retry.doRequests,
	};
	return {
		...result,
		/** Every delivery's attempts as the policy says, every one seen at the sink, and the sink's counts D1's. */
		exact:
			result.deliveriesWithWrongAttemptCount === 0 &&
			result.deliveriesSeenAtSink === result.deliveries &&
			result.attemptsRecordedInD1 === result.attemptsSeenAtSink &&
			result.delivered.sink === result.delivered.d1 &&
			result.failed.sink === result.failed.d1,
	};
}

export type FailureResult = Awaited<ReturnType<typeof failureRun>>;
