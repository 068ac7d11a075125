/**
 * `npm run bench` (`-- --quick` for a small smoke run): Hivepost's throughput,
 * latency and work per event on the real local stack (wrangler dev with local
 * D1, Queues and Durable Objects, the bench build from bench/wrangler.toml),
 * delivering to a sink on 127.0.0.1. This file runs the steps in their order;
 * method and targets: bench/README.md.
 *
 * 1. Warm-up: every route once, so start-up costs stay out of the figures.
 *    Then the storage scenario: D1's pages in use per event, on two sets of
 *    bodies (scenarios/storage.ts), before anything else has written to D1.
 * 2. For each fan-out N: the throughput run, with its baselines measured
 *    interleaved in the same run (scenarios/throughput.ts). At N = TARGET_N
 *    also the latency run, the failure run and the isolation scenario (a
 *    healthy endpoint alone, beside a slow and beside a hanging endpoint).
 * 3. The fair-share scenarios, in a process and on a stack of their own
 *    (warmed up the same way), so that what the runs above left, in D1 and
 *    in this process, changes none of their figures: one account's burst
 *    beside quiet and medium accounts (and alone), two bursts at once,
 *    retries beside a tarpit account, and quiet accounts beside a receiver
 *    too slow for what its account sends it. FAIRNESS_RUNS times, each afresh: the
 *    results are the median run's (report/fairnessRuns.ts).
 * 4. The move scenario, on a stack of its own binding two databases: an
 *    account of MOVE.events events moved while it keeps sending.
 * 5. The report (report/): prints the tables, writes bench/results/<date>.json
 *    and .svg, and (full runs) puts the tables into bench/README.md.
 * `-- --only=fairness` runs the warm-up and step 3 only, and prints their
 * tables and targets without writing anything; `-- --only=storage` the same
 * for the storage scenario, `-- --only=move` for step 4.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { type BenchStack, startBenchStack } from "./lib/benchStack.ts";
import { resultsChart } from "./report/chart.ts";
import { medianRun, runFigures } from "./report/fairnessRuns.ts";
import { moveTable } from "./report/moveTable.ts";
import { writeReadmeResults } from "./report/readme.ts";
import { benchResults, type Fairness, resultsName, uptime, writeResults } from "./report/results.ts";
import { storageTable, storageTargets } from "./report/storageTable.ts";
import { fairnessTables, resultTables } from "./report/tables.ts";
import { burstBesideOthersScenario } from "./scenarios/burstBesideOthers.ts";
import { type FailureResult, failureRun } from "./scenarios/failures.ts";
import { type IsolationResult, isolationScenario } from "./scenarios/isolation.ts";
import { type LatencyResult, latencyRun } from "./scenarios/latency.ts";
import { moveAccountScenario } from "./scenarios/moveAccount.ts";
import { retriesBesideTarpitScenario } from "./scenarios/retriesBesideTarpit.ts";
import { slowReceiverBesideQuietScenario } from "./scenarios/slowReceiverBesideQuiet.ts";
import { storageScenario } from "./scenarios/storage.ts";
import { type FanOutResult, fanOutRun, ROUTES, warmUp } from "./scenarios/throughput.ts";
import { twoBurstsScenario } from "./scenarios/twoBursts.ts";
import {
	eventsPerBlock,
	FAIRNESS_RUNS,
	FANOUTS,
	fairnessPlannedEvents,
	isolationEvents,
	MOVE,
	onlyFairness,
	onlyMove,
	onlyStorage,
	quick,
	resultsFile,
	SIZES,
	STORAGE,
	TARGET_N,
} from "./settings.ts";

/** The requests the main stack's progress bar counts: every one known ahead. */
const plannedRequests =
	2 * STORAGE.events +
	(onlyStorage
		? 0
		: FANOUTS.reduce((sum, n) => sum + eventsPerBlock(n) * SIZES.rounds * ROUTES.length, 0) +
			SIZES.latencyEvents +
			SIZES.failureEvents +
			3 * isolationEvents);

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Runs `scenarios` on a stack of its own (binding `databases` databases), stopped afterwards, or on a signal. */
async function onItsOwnStack<T>(planned: number, scenarios: (stack: BenchStack) => Promise<T>, databases = 1): Promise<T> {
	const stack = await startBenchStack(planned, databases);
	const stop = () => void stack.cleanUp().then(() => process.exit(130));
	for (const signal of SIGNALS) process.once(signal, stop);
	try {
		return await scenarios(stack);
	} finally {
		for (const signal of SIGNALS) process.off(signal, stop);
		await stack.cleanUp();
	}
}

/** The fair-share scenarios (step 3). */
const fairnessRun = () =>
	onItsOwnStack(fairnessPlannedEvents, async (stack): Promise<Fairness> => {
		await warmUp(stack, []);
		const burst = await burstBesideOthersScenario(stack);
		const twoBursts = await twoBurstsScenario(stack);
		const retries = await retriesBesideTarpitScenario(stack);
		const slowReceiver = await slowReceiverBesideQuietScenario(stack);
		return { burst, twoBursts, retries, slowReceiver };
	});

/** The move scenario (step 4), binding MOVE.databases databases. */
const moveRun = () => onItsOwnStack(MOVE.events, moveAccountScenario, MOVE.databases);

if (onlyMove) {
	console.log(`\n${moveTable(await moveRun()).join("\n")}\n`);
	process.exit(0);
}
if (onlyFairness) {
	const fairness = await fairnessRun();
	// v8's serialization keeps what JSON would turn into null: Infinity (a delivery that never came), NaN.
	if (resultsFile) writeFileSync(resultsFile, serialize(fairness));
	else console.log(`\n${fairnessTables(fairness).join("\n")}\n`);
	process.exit(0);
}

/**
 * The fair-share scenarios in a process of their own (this script with `--only=fairness`): run in this one after the
 * fan-out runs, the same burst was accepted at 75 events/s, against 110–116 in separate runs that hour (bench/README.md).
 */
async function fairnessInAProcessOfItsOwn(): Promise<Fairness> {
	const dir = mkdtempSync(join(tmpdir(), "hivepost-fairness-"));
	const file = join(dir, "results.v8");
	const flags = ["--only=fairness", `--results-file=${file}`, ...(quick ? ["--quick"] : [])];
	const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...flags], { stdio: "inherit" });
	const forward = (signal: NodeJS.Signals) => child.kill(signal);
	for (const signal of SIGNALS) process.on(signal, forward);
	try {
		const [code] = await once(child, "exit");
		if (code !== 0) throw new Error(`the fair-share scenarios' process ended with ${code}`);
		return deserialize(readFileSync(file)) as Fairness;
	} finally {
		for (const signal of SIGNALS) process.off(signal, forward);
		rmSync(dir, { recursive: true, force: true });
	}
}

const loadBefore = uptime();
const started = Date.now();
const { storage, fanOuts, latency, failure, isolation } = await onItsOwnStack(plannedRequests, async (stack) => {
	/** The fan-out runs' endpoints on the sink, in the order registered (`/e0`, `/e1`, …). */
	const sinkEndpoints: string[] = [];
	await warmUp(stack, sinkEndpoints);
	const storage = await storageScenario(stack);
	const fanOuts: FanOutResult[] = [];
	let targetN: { latency: LatencyResult; failure: FailureResult; isolation: IsolationResult } | undefined;
	for (const n of onlyStorage ? [] : FANOUTS) {
		fanOuts.push(await fanOutRun(stack, n, sinkEndpoints));
		if (n === TARGET_N) {
			const latency = await latencyRun(stack);
			const failure = await failureRun(stack);
			targetN = { latency, failure, isolation: await isolationScenario(stack, sinkEndpoints) };
		}
	}
	return { storage, fanOuts, ...targetN };
});
if (onlyStorage) {
	console.log(
		`\n${[...storageTable(storage), "", ...storageTargets(storage).map((t) => `${t.met ? "met" : "MISSED"}: ${t.target}: ${t.measured}`)].join("\n")}\n`,
	);
	process.exit(0);
}
if (!latency || !failure || !isolation) throw new Error(`the fan-outs must include N = ${TARGET_N}`);
const fairnessEach: Fairness[] = [];
for (let run = 0; run < FAIRNESS_RUNS; run++) fairnessEach.push(await fairnessInAProcessOfItsOwn());
const fairness = medianRun(fairnessEach);
const fairnessRuns = runFigures(fairnessEach, fairness);
const move = await moveRun();

const results = benchResults(started, loadBefore, { fanOuts, latency, failure, isolation, fairness, fairnessRuns, storage, move });
const tables = resultTables(results);
console.log(`\n${tables}\n`);
writeResults(results, resultsChart(results));
console.log(`Wrote bench/results/${resultsName(results)}.json and .svg`);
if (!quick) {
	writeReadmeResults(results, tables);
	console.log("Updated the results section of bench/README.md");
}
