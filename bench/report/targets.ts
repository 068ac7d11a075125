/** The targets (bench/README.md, "Targets", "Isolation scenario" and "Fair share"), each with what was measured and whether it was met. */
import { readFileSync } from "node:fs";
import { PROJECT_ROOT } from "../../scripts/lib/localStack.ts";
import type { FailureResult } from "../scenarios/failures.ts";
import type { IsolationResult } from "../scenarios/isolation.ts";
import type { LatencyResult } from "../scenarios/latency.ts";
import type { StorageResult } from "../scenarios/storage.ts";
import type { FanOutResult } from "../scenarios/throughput.ts";
import { BEFORE_FAIR_SHARE, FAIRNESS, ISOLATION, TARGET_N } from "../settings.ts";
import { f0, f2, isolationRuns, msOrBound } from "./format.ts";
import type { Fairness } from "./results.ts";
import { storageTargets } from "./storageTable.ts";

export interface Target {
	target: string;
	measured: string;
	met: boolean;
}

export function targets(
	fanOuts: FanOutResult[],
	latency: LatencyResult,
	failure: FailureResult,
	isolation: IsolationResult,
	fairness: Fairness,
	storage: StorageResult,
): Target[] {
	const atTarget = fanOuts.find((run) => run.n === TARGET_N);
	if (!atTarget) throw new Error(`no run at N = ${TARGET_N}`);
	const statementsPerEvent = fanOuts.map((run) => run.work.ingestD1Statements);
	const runs = isolationRuns(isolation);
	return [
		{
			target: `ingest throughput >= 0.8x the durable floor at N=${TARGET_N}`,
			measured: `${atTarget.ratios.ingestToFloor.toFixed(2)}x`,
			met: atTarget.ratios.ingestToFloor >= 0.8,
		},
		{
			target: `end-to-end deliveries/s >= 0.5x the fan-out ceiling at N=${TARGET_N}, every attempt recorded in D1`,
			measured: `${atTarget.ratios.endToEndToCeiling.toFixed(2)}x`,
			met: atTarget.ratios.endToEndToCeiling >= 0.5,
		},
		{
			target: "D1 statements per ingested event constant in N",
			measured: fanOuts.map((run) => `N=${run.n}: ${run.work.ingestD1Statements.toFixed(2)}`).join(", "),
			met: statementsPerEvent.every((value) => value === statementsPerEvent[0]),
		},
		{
			target: "ingest-to-first-attempt p99 < 2 s (unsaturated run)",
			measured: `${latency.firstAttemptP99Ms.toFixed(0)} ms`,
			met: latency.firstAttemptP99Ms < 2000,
		},
		{
			target: `failure run: retry count exact (${failure.maxAttemptsPerDelivery} attempts at most)`,
			measured: `${failure.deliveriesWithWrongAttemptCount} of ${failure.deliveries} deliveries off; ${failure.attemptsPerDelivery.toFixed(3)} attempts/delivery`,
			met: failure.exact,
		},
		{
			target: `isolation: healthy p99 < ${ISOLATION.p99TargetMs / 1000} s beside a ${ISOLATION.slowReplyMs / 1000} s / a hanging endpoint (events ≥ ${ISOLATION.measureAfterMs / 1000} s after it was added)`,
			measured: `${msOrBound(isolation.beside2500ms.measured.p99Ms, isolation.beside2500ms)} / ${msOrBound(isolation.besideHanging.measured.p99Ms, isolation.besideHanging)} ms`,
			met: [isolation.beside2500ms, isolation.besideHanging].every((run) => run.measured.p99Ms < ISOLATION.p99TargetMs),
		},
		{
			target: "isolation: no healthy delivery waits longer than 2 × DELIVERY_TIMEOUT_MS",
			measured: `max ${runs.map(([, run]) => msOrBound(run.allEventsMaxMs, run)).join(" / ")} ms (alone / ${ISOLATION.slowReplyMs / 1000} s / hanging), limit ${isolation.maxTargetMs} ms`,
			met: runs.every(([, run]) => run.events > 0 && run.allEventsMaxMs <= isolation.maxTargetMs),
		},
		...storageTargets(storage),
		...fairnessTargets(fairness),
	];
}

/** The bursting account's deliveries/s in the committed run before fair share (its burst scenario). */
export function burstBeforeFairShare(): number {
	const before = JSON.parse(readFileSync(`${PROJECT_ROOT}bench/results/${BEFORE_FAIR_SHARE}.json`, "utf8")) as {
		burst: { noisy: { deliveriesPerSecond: number } };
	};
	return before.burst.noisy.deliveriesPerSecond;
}

/** Issue 15's targets, from the fair-share scenarios. */
export function fairnessTargets({ burst, twoBursts, retries, slowReceiver }: Fairness): Target[] {
	const steady = burst.beside.steady;
	const before = burstBeforeFairShare();
	const bothBursts = [burst.alone, burst.beside.noisy];
	const shares = twoBursts.accounts.map((account) => account.shareWhileBothWaiting);
	const { retrier, tarpit } = retries;
	return [
		{
			target: `fair share: beside a burst, quiet and medium accounts' first-attempt p99 < ${FAIRNESS.p99TargetMs / 1000} s, while it bursts and drains`,
			measured: `${steady.map((account) => `${account.uid} ${msOrBound(account.duringAndAfter.p99Ms, burst.beside)}`).join(" / ")} ms`,
			met: steady.every((account) => account.duringAndAfter.p99Ms < FAIRNESS.p99TargetMs),
		},
		{
			target: "fair share: every accepted event reaches every endpoint (the burst alone and beside, quiet, medium)",
			measured: `steady ${steady.map((account) => `${account.duringAndAfter.arrived + account.baseline.arrived}/${account.duringAndAfter.events + account.baseline.events}`).join(", ")}; burst ${bothBursts.map((run) => (run.drained ? "drained" : "NOT drained")).join(", ")}`,
			met:
				steady.every(
					(account) =>
						account.duringAndAfter.arrived === account.duringAndAfter.events && account.baseline.arrived === account.baseline.events,
				) && bothBursts.every((run) => run.drained),
		},
		{
			target: "fair share: ingest answers 202 to every request of the burst",
			measured: `${bothBursts.map((run) => `${run.postErrors} of ${run.eventsAccepted + run.postErrors}`).join(", ")} failed (alone, beside)`,
			met: bothBursts.every((run) => run.postErrors === 0),
		},
		{
			target: `fair share: alone, the bursting account drains >= ${FAIRNESS.aloneShareOfBefore}x the burst before fair share (${f0(before)} deliveries/s, ${BEFORE_FAIR_SHARE})`,
			measured: `${f0(burst.alone.deliveriesPerSecond)} deliveries/s, ${f2(burst.alone.deliveriesPerSecond / before)}x`,
			met: burst.alone.deliveriesPerSecond >= FAIRNESS.aloneShareOfBefore * before,
		},
		{
			target: `fair share: beside the others, the bursting account keeps >= ${FAIRNESS.besideShareOfAlone}x its throughput alone`,
			measured: `${f0(burst.beside.noisy.deliveriesPerSecond)} / ${f0(burst.alone.deliveriesPerSecond)} deliveries/s, ${f2(burst.besideToAlone)}x`,
			met: burst.besideToAlone >= FAIRNESS.besideShareOfAlone,
		},
		{
			target: "fair share: two bursts at once each drain >= 1/3 of what both drain while both have deliveries waiting",
			measured: shares.map((share, i) => `${twoBursts.accounts[i].uid} ${f2(share)}`).join(", "),
			met: shares.every((share) => share >= FAIRNESS.twoBurstsMinShare),
		},
		{
			target: `fair share: beside ${tarpit.deliveries} tarpit deliveries, another account's retry comes within ${FAIRNESS.retryLateTargetMs / 1000} s of its due time`,
			measured: `max ${msOrBound(retrier.retryLateness.maxMs, retries)} ms late (p99 ${msOrBound(retrier.retryLateness.p99Ms, retries)} ms)`,
			met: retrier.retryLateness.maxMs <= FAIRNESS.retryLateTargetMs,
		},
		{
			target: `fair share: beside the tarpit, its first attempts' p99 < ${FAIRNESS.p99TargetMs / 1000} s`,
			measured: `${msOrBound(retrier.firstAttempt.p99Ms, retries)} ms`,
			met: retrier.firstAttempt.p99Ms < FAIRNESS.p99TargetMs,
		},
		{
			target: "fair share: every delivery keeps its retry policy (the other account's; every tarpit delivery, finished or not)",
			measured: `${retrier.offPolicy} of ${retrier.deliveries} and ${tarpit.offPolicy} of ${tarpit.deliveries} (${tarpit.finished} finished) off; ${retrier.delivered} delivered`,
			met: retrier.offPolicy === 0 && tarpit.offPolicy === 0 && retrier.delivered === retrier.deliveries && retrier.deliveries > 0,
		},
		{
			target: `fair share: beside a receiver too slow for its account's volume, quiet accounts' first-attempt p99 < ${FAIRNESS.p99TargetMs / 1000} s`,
			measured: `${slowReceiver.quiet.map((account) => `${account.uid} ${msOrBound(account.firstAttempt.p99Ms, slowReceiver)}`).join(" / ")} ms`,
			met: slowReceiver.quiet.every((account) => account.firstAttempt.p99Ms < FAIRNESS.p99TargetMs),
		},
		{
			target: "fair share: every event sent beside the slow receiver reaches its endpoint (the slow one's too)",
			measured: [slowReceiver.steady, ...slowReceiver.quiet]
				.map((account) => `${account.uid} ${account.firstAttempt.arrived}/${account.firstAttempt.events}`)
				.join(", "),
			met: [slowReceiver.steady, ...slowReceiver.quiet].every(
				(account) => account.postErrors === 0 && account.firstAttempt.arrived === account.firstAttempt.events,
			),
		},
	];
}
