/**
 * The fair-share scenarios are run FAIRNESS_RUNS times, each in a process and on a stack of its own: on a 2-core host
 * their figures swing by a factor of 4 to 5 from one run to the next (bench/README.md, "Fair share"), so one run is a
 * coin toss. The results are those of the median run, ranked by the hardest target's figure (the quiet and medium
 * accounts' first-attempt p99 while the burst runs and drains); each run's main figures are shown beside them.
 */
import { f0, f2, markdownTable } from "./format.ts";
import type { Fairness } from "./results.ts";

/** A run's main figures, one per fair-share target that varies. */
export interface FairnessRunFigures {
	/** The worst of the quiet and medium accounts' first-attempt p99 during and after the burst. */
	besideBurstP99Ms: number;
	aloneDeliveriesPerSecond: number;
	besideToAlone: number;
	twoBurstsShares: number[];
	retryLateMaxMs: number;
	tarpitFirstAttemptP99Ms: number;
	/** The worst of the quiet accounts' first-attempt p99 beside the slow receiver. */
	besideSlowReceiverP99Ms: number;
	/** The run whose figures are the results. */
	median: boolean;
}

const besideBurstP99 = ({ burst }: Fairness) => Math.max(...burst.beside.steady.map((account) => account.duringAndAfter.p99Ms));

/** The median of `runs` by the quiet and medium accounts' p99 beside the burst (of an even count, the better middle one). */
export function medianRun(runs: readonly Fairness[]): Fairness {
	const ranked = [...runs].sort((a, b) => besideBurstP99(a) - besideBurstP99(b));
	return ranked[Math.floor((ranked.length - 1) / 2)];
}

/** Each run's main figures, in the order they ran, the median run marked. */
export function runFigures(runs: readonly Fairness[], median: Fairness): FairnessRunFigures[] {
	return runs.map((run) => ({
		besideBurstP99Ms: besideBurstP99(run),
		aloneDeliveriesPerSecond: run.burst.alone.deliveriesPerSecond,
		besideToAlone: run.burst.besideToAlone,
		twoBurstsShares: run.twoBursts.accounts.map((account) => account.shareWhileBothWaiting),
		retryLateMaxMs: run.retries.retrier.retryLateness.maxMs,
		tarpitFirstAttemptP99Ms: run.retries.retrier.firstAttempt.p99Ms,
		besideSlowReceiverP99Ms: Math.max(...run.slowReceiver.quiet.map((account) => account.firstAttempt.p99Ms)),
		median: run === median,
	}));
}

export function fairnessRunsTable(figures: readonly FairnessRunFigures[]): string[] {
	return [
		`The fair-share scenarios, run ${figures.length} times, each in a process and on a stack of its own (the figures above and their targets are the median run's, ranked by the first column):`,
		"",
		...markdownTable(
			[
				"run",
				"quiet/medium p99 ms beside the burst",
				"burst alone deliveries/s",
				"beside ÷ alone",
				"two bursts' shares",
				"retry max ms late",
				"first attempts' p99 ms beside the tarpit",
				"quiet p99 ms beside the slow receiver",
			],
			figures.map((run, i) => [
				`${i + 1}${run.median ? " (median)" : ""}`,
				f0(run.besideBurstP99Ms),
				f0(run.aloneDeliveriesPerSecond),
				f2(run.besideToAlone),
				run.twoBurstsShares.map(f2).join(" / "),
				f0(run.retryLateMaxMs),
				f0(run.tarpitFirstAttemptP99Ms),
				f0(run.besideSlowReceiverP99Ms),
			]),
		),
	];
}
