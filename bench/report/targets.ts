/** The targets (bench/README.md, "Targets" and "Isolation scenario"), each with what was measured and whether it was met. */
import type { FailureResult } from "../scenarios/failures.ts";
import type { IsolationResult } from "../scenarios/isolation.ts";
import type { LatencyResult } from "../scenarios/latency.ts";
import type { FanOutResult } from "../scenarios/throughput.ts";
import { ISOLATION, TARGET_N } from "../settings.ts";
import { isolationRuns, msOrBound } from "./format.ts";

export interface Target {
	target: string;
	measured: string;
	met: boolean;
}

export function targets(fanOuts: FanOutResult[], latency: LatencyResult, failure: FailureResult, isolation: IsolationResult): Target[] {
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
	];
}
