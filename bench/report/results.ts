/**
 * The results of a run in their committed format (bench/results/<date>.json):
 * when and where it ran (the machine, its load before and after), the settings
 * and prices, every scenario's figures and the targets. Missing latencies
 * (Infinity) and ratios of nothing (NaN) are written as null.
 */
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { PROJECT_ROOT } from "../../scripts/lib/localStack.ts";
import { PRICES } from "../lib/prices.ts";
import type { BurstBesideOthersResult } from "../scenarios/burstBesideOthers.ts";
import type { FailureResult } from "../scenarios/failures.ts";
import type { IsolationResult } from "../scenarios/isolation.ts";
import type { LatencyResult } from "../scenarios/latency.ts";
import type { MoveAccountResult } from "../scenarios/moveAccount.ts";
import type { RetriesBesideTarpitResult } from "../scenarios/retriesBesideTarpit.ts";
import type { SlowReceiverBesideQuietResult } from "../scenarios/slowReceiverBesideQuiet.ts";
import type { StorageResult } from "../scenarios/storage.ts";
import type { FanOutResult } from "../scenarios/throughput.ts";
import type { TwoBurstsResult } from "../scenarios/twoBursts.ts";
import { CONCURRENCY, FANOUTS, LATENCY_RATE, quick, SETTINGS, SIZES } from "../settings.ts";
import type { FairnessRunFigures } from "./fairnessRuns.ts";
import { targets } from "./targets.ts";

/** The machine's load averages now, as `uptime` prints them. */
export const uptime = () => execSync("uptime", { encoding: "utf8" }).trim();

function machine() {
	const cpuModel = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown";
	return {
		nproc: availableParallelism(),
		cpuModel,
		memory: execSync("free -h", { encoding: "utf8" }).trimEnd(),
		node: process.version,
	};
}

/** The fair-share scenarios' results. */
export interface Fairness {
	burst: BurstBesideOthersResult;
	twoBursts: TwoBurstsResult;
	retries: RetriesBesideTarpitResult;
	slowReceiver: SlowReceiverBesideQuietResult;
}

export interface Measured {
	fanOuts: FanOutResult[];
	latency: LatencyResult;
	failure: FailureResult;
	isolation: IsolationResult;
	fairness: Fairness;
	/** Each fair-share run's main figures: `fairness` is the median run's. */
	fairnessRuns: FairnessRunFigures[];
	storage: StorageResult;
	move: MoveAccountResult;
}

/** The run that started at `started` (ms) with the machine's load `loadBefore`, ended now. */
export function benchResults(
	started: number,
	loadBefore: string,
	{ fanOuts, latency, failure, isolation, fairness, fairnessRuns, storage, move }: Measured,
) {
	const loadAfter = uptime();
	return {
		date: new Date(started).toISOString(),
		quick,
		durationSeconds: Math.round((Date.now() - started) / 1000),
		machine: { ...machine(), loadBefore, loadAfter },
		settings: {
			...SIZES,
			concurrency: CONCURRENCY,
			fanOuts: FANOUTS,
			latencyRate: LATENCY_RATE,
			stack: { ...SETTINGS, ADMIN_TOKEN: "(random)", INGEST_TOKEN: "(random)" },
		},
		prices: PRICES,
		fanOuts,
		latency,
		failure,
		isolation,
		fairness,
		fairnessRuns,
		storage,
		move,
		targets: targets(fanOuts, latency, failure, isolation, fairness, storage),
	};
}

export type Results = ReturnType<typeof benchResults>;

/** The results' file name without extension: the run's date, `-quick` for a quick run (those are not committed). */
export const resultsName = (results: Results) => `${results.date.slice(0, 10)}${results.quick ? "-quick" : ""}`;

/** Writes bench/results/<name>.json and .svg. */
export function writeResults(results: Results, svg: string): void {
	const dir = `${PROJECT_ROOT}bench/results/`;
	mkdirSync(dir, { recursive: true });
	writeFileSync(`${dir}${resultsName(results)}.json`, `${JSON.stringify(results, null, "\t")}\n`);
	writeFileSync(`${dir}${resultsName(results)}.svg`, svg);
}
