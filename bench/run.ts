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
 * 3. Last, the fair-share scenarios: one account's burst beside quiet and
 *    medium accounts (and alone), two bursts at once, and retries beside a
 *    tarpit account.
 * 4. The move scenario, on a stack of its own binding two databases: an
 *    account of MOVE.events events moved while it keeps sending.
 * 5. The report (report/): prints the tables, writes bench/results/<date>.json
 *    and .svg, and (full runs) puts the tables into bench/README.md.
 * `-- --only=fairness` runs the warm-up and step 3 only, and prints their
 * tables and targets without writing anything; `-- --only=storage` the same
 * for the storage scenario, `-- --only=move` for step 4.
 */
import { waitFor } from "../scripts/lib/waitFor.ts";
import { startBenchStack } from "./lib/benchStack.ts";
import { resultsChart } from "./report/chart.ts";
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
import { type StorageResult, storageScenario } from "./scenarios/storage.ts";
import { type FanOutResult, fanOutRun, ROUTES, registerSinkEndpoints, send } from "./scenarios/throughput.ts";
import { twoBurstsScenario } from "./scenarios/twoBursts.ts";
import {
	eventsPerBlock,
	FANOUTS,
	fairnessPlannedEvents,
	isolationEvents,
	MOVE,
	onlyFairness,
	onlyMove,
	onlyStorage,
	quick,
	SIZES,
	STORAGE,
	TARGET_N,
} from "./settings.ts";

/** The requests the progress bar counts: every one known ahead. */
const plannedRequests =
	(onlyFairness ? 0 : 2 * STORAGE.events) +
	(onlyFairness || onlyStorage
		? 0
		: FANOUTS.reduce((sum, n) => sum + eventsPerBlock(n) * SIZES.rounds * ROUTES.length, 0) +
			SIZES.latencyEvents +
			SIZES.failureEvents +
			3 * isolationEvents) +
	(onlyStorage ? 0 : fairnessPlannedEvents);

/** The move scenario on a stack of its own, binding MOVE.databases databases. */
async function moveRun() {
	const moveStack = await startBenchStack(MOVE.events, MOVE.databases);
	try {
		return await moveAccountScenario(moveStack);
	} finally {
		await moveStack.cleanUp();
	}
}

if (onlyMove) {
	console.log(`\n${moveTable(await moveRun()).join("\n")}\n`);
	process.exit(0);
}

const loadBefore = uptime();
const stack = await startBenchStack(plannedRequests);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		void stack.cleanUp().then(() => process.exit(130));
	});
}

const started = Date.now();
/** The fan-out runs' endpoints on the sink, in the order registered (`/e0`, `/e1`, …). */
const sinkEndpoints: string[] = [];
const fanOuts: FanOutResult[] = [];
let latency: LatencyResult | undefined;
let failure: FailureResult | undefined;
let isolation: IsolationResult | undefined;
let fairness: Fairness | undefined;
let storage: StorageResult | undefined;
try {
	await stack.bench.setup();
	await registerSinkEndpoints(stack, sinkEndpoints, 1);
	for (const route of ROUTES) await send(stack, route, 1, 0);
	await waitFor(async () => (await stack.bench.recorded()).attempts >= 1, 10_000, "the warm-up delivery");
	if (!onlyFairness) storage = await storageScenario(stack);
	for (const n of onlyFairness || onlyStorage ? [] : FANOUTS) {
		fanOuts.push(await fanOutRun(stack, n, sinkEndpoints));
		if (n === TARGET_N) {
			latency = await latencyRun(stack);
			failure = await failureRun(stack);
			isolation = await isolationScenario(stack, sinkEndpoints);
		}
	}
	// Last, so that the rows they leave in D1 (deleted accounts are purged by the cron, which does not run here) change no other figure.
	if (!onlyStorage) {
		const burst = await burstBesideOthersScenario(stack);
		const twoBursts = await twoBurstsScenario(stack);
		const retries = await retriesBesideTarpitScenario(stack);
		fairness = { burst, twoBursts, retries };
	}
} finally {
	await stack.cleanUp();
}
if (onlyStorage && storage) {
	console.log(
		`\n${[...storageTable(storage), "", ...storageTargets(storage).map((t) => `${t.met ? "met" : "MISSED"}: ${t.target}: ${t.measured}`)].join("\n")}\n`,
	);
	process.exit(0);
}
if (!fairness) throw new Error("the fair-share scenarios did not run");
if (onlyFairness) {
	console.log(`\n${fairnessTables(fairness).join("\n")}\n`);
	process.exit(0);
}
if (!latency || !failure || !isolation || !storage) throw new Error(`the fan-outs must include N = ${TARGET_N}`);
const move = await moveRun();

const results = benchResults(started, loadBefore, { fanOuts, latency, failure, isolation, fairness, storage, move });
const tables = resultTables(results);
console.log(`\n${tables}\n`);
writeResults(results, resultsChart(results));
console.log(`Wrote bench/results/${resultsName(results)}.json and .svg`);
if (!quick) {
	writeReadmeResults(results, tables);
	console.log("Updated the results section of bench/README.md");
}
