/**
 * The results as a chart (bench/results/<date>.svg): ingest and end-to-end
 * throughput beside their baselines per fan-out N, the healthy endpoint's
 * latency in the isolation runs, and the quiet and medium accounts' latency
 * around another account's burst, both on a log scale.
 */
import { barChart } from "./barChart.ts";
import { f2, isolationRuns } from "./format.ts";
import type { Results } from "./results.ts";

/** A latency to draw: one that never arrived at the bound it is known to exceed (the wait), a ratio of nothing at 0. */
const drawable = (value: number, waitedMs: number) => (Number.isFinite(value) ? value : Number.isNaN(value) ? 0 : waitedMs);

export function resultsChart({ fanOuts, isolation, fairness, date, machine, settings }: Results): string {
	const { beside } = fairness.burst;
	const phases = [
		["before", "baseline"],
		["during burst", "burst"],
		["until drained", "after"],
	] as const;
	const colors = ["#7a9cc6", "#a8c1e0", "#e07b39"];
	return barChart(
		[
			{
				title: "Ingest",
				unit: "requests/s",
				series: [
					{ name: "trivial route", color: "#bbbbbb" },
					{ name: "durable floor", color: "#7a9cc6" },
					{ name: "Hivepost", color: "#e07b39" },
				],
				groups: fanOuts.map((run) => ({
					label: `N = ${run.n}`,
					values: [run.ingest.trivial.perSecond, run.ingest.floor.perSecond, run.ingest.hivepost.perSecond],
					note: `${f2(run.ratios.ingestToFloor)}x floor`,
				})),
			},
			{
				title: "End to end",
				unit: "deliveries/s",
				series: [
					{ name: "fan-out ceiling", color: "#7a9cc6" },
					{ name: "Hivepost", color: "#e07b39" },
				],
				groups: fanOuts.map((run) => ({
					label: `N = ${run.n}`,
					values: [run.deliveriesPerSecond.ceiling, run.deliveriesPerSecond.hivepost],
					note: `${f2(run.ratios.endToEndToCeiling)}x ceiling`,
				})),
			},
			{
				title: "Isolation: healthy endpoint latency",
				unit: "ms",
				logScale: true,
				series: [
					{ name: `p50 (≥ ${isolation.measureAfterMs / 1000} s)`, color: "#7a9cc6" },
					{ name: `p99 (≥ ${isolation.measureAfterMs / 1000} s)`, color: "#e07b39" },
					{ name: "max (all events)", color: "#777777" },
				],
				groups: isolationRuns(isolation).map(([label, run]) => ({
					label,
					values: [run.measured.p50Ms, run.measured.p99Ms, run.allEventsMaxMs].map((value) => drawable(value, run.waitedMs)),
					note: `${run.arrived}/${run.events} arrived`,
				})),
				marks: [
					{ value: isolation.p99TargetMs, label: `p99 target ${isolation.p99TargetMs / 1000} s` },
					{ value: isolation.maxTargetMs, label: `max ${isolation.maxTargetMs / 1000} s` },
				],
			},
			{
				title: "Fair share: first-attempt p99 beside a burst",
				unit: "ms",
				logScale: true,
				series: beside.steady.map((account, i) => ({ name: account.uid, color: colors[i % colors.length] })),
				groups: phases.map(([label, phase]) => ({
					label,
					values: beside.steady.map((account) => drawable(account[phase].p99Ms, beside.waitedMs)),
				})),
				marks: [{ value: fairness.burst.settings.p99TargetMs, label: `target ${fairness.burst.settings.p99TargetMs / 1000} s` }],
			},
		],
		`Hivepost on wrangler dev, ${date.slice(0, 16)} UTC, ${machine.nproc} cores, concurrency ${settings.concurrency}; ratios measured interleaved; isolation at ${isolation.eventsPerSecond} events/s, DELIVERY_TIMEOUT_MS=${isolation.deliveryTimeoutMs}; fair share: quiet and medium accounts beside another's ${fairness.burst.settings.burstSeconds} s burst`,
	);
}
