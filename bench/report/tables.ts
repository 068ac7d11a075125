/**
 * The results as text: the fan-out table, the latency and failure lines, the
 * isolation and fair-share tables, and the targets; printed after a run and put
 * into bench/README.md after a full one.
 */
import { fairnessRunsTable } from "./fairnessRuns.ts";
import { f0, f2, isolationRuns, markdownTable, msOrBound } from "./format.ts";
import { moveTable } from "./moveTable.ts";
import type { Fairness, Results } from "./results.ts";
import { storageTable } from "./storageTable.ts";
import { fairnessTargets, type Target } from "./targets.ts";

function fanOutTable({ fanOuts }: Results): string[] {
	return markdownTable(
		[
			"N",
			"events",
			"deliveries",
			"trivial req/s",
			"floor req/s",
			"ingest events/s (p50/p99 ms)",
			"ingest ÷ floor",
			"ceiling deliveries/s",
			"end-to-end deliveries/s",
			"e2e ÷ ceiling",
			"D1 stmts/event (ingest + delivery)",
			"rows written/event",
			"queue msgs/event",
			"$ per M events",
		],
		fanOuts.map((run) => [
			String(run.n),
			String(run.events),
			String(run.deliveries),
			f0(run.ingest.trivial.perSecond),
			f0(run.ingest.floor.perSecond),
			`${f0(run.ingest.hivepost.perSecond)} (${f0(run.ingest.hivepost.p50Ms)}/${f0(run.ingest.hivepost.p99Ms)})`,
			`${f2(run.ratios.ingestToFloor)}x`,
			f0(run.deliveriesPerSecond.ceiling),
			f0(run.deliveriesPerSecond.hivepost),
			`${f2(run.ratios.endToEndToCeiling)}x`,
			`${f2(run.work.ingestD1Statements)} + ${f2(run.work.deliveryD1Statements)}`,
			f2(run.work.totals.d1RowsWritten),
			f2(run.work.totals.queueMessages),
			`$${f2(run.work.costPerMillionEventsUsd.total)}`,
		]),
	);
}

function isolationTable({ isolation }: Results): string[] {
	return markdownTable(
		[
			"isolation run (healthy endpoint)",
			"events",
			"arrived",
			`measured (sent ≥ ${isolation.measureAfterMs / 1000} s after)`,
			"p50 ms",
			"p99 ms",
			"max ms",
			"max ms, all events",
			"second endpoint's requests",
		],
		isolationRuns(isolation).map(([label, run]) => [
			label,
			withFailedPosts(run.events, run.postErrors),
			`${run.arrived} of ${run.events}`,
			`${run.measured.arrived} of ${run.measured.events}`,
			msOrBound(run.measured.p50Ms, run),
			msOrBound(run.measured.p99Ms, run),
			msOrBound(run.measured.maxMs, run),
			msOrBound(run.allEventsMaxMs, run),
			run.secondEndpointRequests === null ? "-" : String(run.secondEndpointRequests),
		]),
	);
}

/** A count of events, with how many POSTs failed when any did. */
const withFailedPosts = (events: number, failed: number) => `${events}${failed ? ` (${failed} POSTs failed)` : ""}`;

/** A latency summary's p50, p99 and max cells (a bound for what had not come when `run` stopped waiting), and how many arrived. */
const latencyCells = (
	figures: { p50Ms: number; p99Ms: number; maxMs: number; arrived: number; events: number },
	run: { waitedMs: number },
) => [
	msOrBound(figures.p50Ms, run),
	msOrBound(figures.p99Ms, run),
	msOrBound(figures.maxMs, run),
	`${figures.arrived} of ${figures.events}`,
];

const states = (counts: Record<string, number>) =>
	Object.entries(counts)
		.map(([state, count]) => `${count} ${state}`)
		.join(", ");

function burstLines({ burst }: Fairness): string[] {
	const { alone, beside } = burst;
	const noisyLine = (label: string, run: typeof alone) =>
		`${label}: ${run.eventsAccepted} events accepted in ${(run.burstMs / 1000).toFixed(1)} s (${f0(run.acceptedPerSecond)}/s, ${run.postErrors} POSTs failed), ${run.deliveries} deliveries, ${
			run.drained ? `drained ${f0(run.drainMs)} ms after its start: ${f0(run.deliveriesPerSecond)} deliveries/s` : "NOT drained"
		}`;
	return [
		`Fair share: one account's burst beside others (quiet: ${burst.settings.quietAccounts} accounts, ${burst.settings.quietRate} events/s to 1 endpoint each; medium: ${burst.settings.mediumRate} events/s to ${burst.settings.mediumEndpoints} endpoints; noisy: a closed loop of ${burst.settings.concurrency} requests for ${burst.settings.burstSeconds} s to ${burst.settings.burstEndpoints} endpoints; latency = event sent → its first attempt at each endpoint):`,
		"",
		...markdownTable(
			[
				"account",
				"endpoints",
				"events",
				"p99 ms before",
				"p99 ms during the burst",
				"p99 ms until drained",
				"max ms during + after",
				"its POSTs' p99 ms during",
				"arrived",
			],
			beside.steady.map((account) => [
				account.uid,
				String(account.endpoints),
				withFailedPosts(account.events, account.postErrors),
				msOrBound(account.baseline.p99Ms, beside),
				msOrBound(account.burst.p99Ms, beside),
				msOrBound(account.after.p99Ms, beside),
				msOrBound(account.duringAndAfter.maxMs, beside),
				Number.isNaN(account.burst.ingestP99Ms) ? "n/a" : f0(account.burst.ingestP99Ms),
				`${account.baseline.arrived + account.duringAndAfter.arrived} of ${account.baseline.events + account.duringAndAfter.events}`,
			]),
		),
		"",
		noisyLine("Noisy alone", alone),
		noisyLine("Noisy beside them", beside.noisy),
		`Beside ÷ alone: ${f2(burst.besideToAlone)}x; endpoints' delivery states afterwards: medium ${states(beside.endpointStatesAfter.medium)}, noisy ${states(beside.endpointStatesAfter.noisy)}`,
	];
}

function twoBurstsLines({ twoBursts }: Fairness): string[] {
	return [
		`Two bursts at once (each a closed loop of ${twoBursts.settings.concurrency} requests for ${twoBursts.settings.burstSeconds} s to ${twoBursts.settings.endpoints} endpoints; both had deliveries waiting for ${f0(twoBursts.bothWaitingMs)} ms):`,
		"",
		...markdownTable(
			["account", "events accepted", "deliveries", "drained after ms", "deliveries/s", "arrived while both waited", "share"],
			twoBursts.accounts.map((account) => [
				account.uid,
				withFailedPosts(account.eventsAccepted, account.postErrors),
				String(account.deliveries),
				account.drained ? f0(account.drainMs) : "NOT drained",
				f0(account.deliveriesPerSecond),
				String(account.arrivedWhileBothWaiting),
				f2(account.shareWhileBothWaiting),
			]),
		),
	];
}

function retriesLines({ retries }: Fairness): string[] {
	const { retrier, tarpit, settings } = retries;
	return [
		`Retries beside a tarpit (tarpit: ${tarpit.events} events to ${settings.tarpitEndpoints} endpoints that never answer, ${tarpit.deliveries} deliveries; the retrier: ${settings.quietRate} events/s for ${settings.retrySeconds} s to 1 endpoint answering 500 to each first attempt; RETRY_INTERVAL_SECONDS=${settings.retryIntervalMs / 1000}, DELIVERY_TIMEOUT_MS=${settings.deliveryTimeoutMs}):`,
		"",
		...markdownTable(
			["the retrier's", "p50 ms", "p99 ms", "max ms", "arrived"],
			[
				["first attempt (event sent → request)", retrier.firstAttempt] as const,
				["retry, after its due time", retrier.retryLateness] as const,
			].map(([label, figures]) => [label, ...latencyCells(figures, retries)]),
		),
		"",
		`Policy: the retrier ${retrier.offPolicy} of ${retrier.deliveries} off (${retrier.delivered} delivered); tarpit ${tarpit.offPolicy} of ${tarpit.deliveries} off, ${tarpit.finished} finished (${tarpit.finishedOffPolicy} off), ${tarpit.requestsAtReceiver} requests at its receiver`,
	];
}

function slowReceiverLines({ slowReceiver }: Fairness): string[] {
	const { steady, quiet, settings } = slowReceiver;
	return [
		`A receiver too slow for its account's volume (steady: ${settings.steadyRate} events/s for ${settings.slowSeconds} s, within its fair rate, to 1 endpoint answering in ${settings.steadyReplyMs} ms; quiet: ${settings.quietRate} events/s each to 1 endpoint on the sink):`,
		"",
		...markdownTable(
			["account", "events", "p50 ms", "p99 ms", "max ms", "arrived"],
			[steady, ...quiet].map((account) => [
				account.uid,
				withFailedPosts(account.events, account.postErrors),
				...latencyCells(account.firstAttempt, slowReceiver),
			]),
		),
		"",
		`Waited ${f0(slowReceiver.waitedMs)} ms after the last event for the deliveries still on their way.`,
	];
}

/** The fair-share scenarios' tables and lines; with `withTargets`, their targets too (for `--only=fairness`). */
export function fairnessTables(fairness: Fairness, withTargets = true): string[] {
	return [
		...burstLines(fairness),
		"",
		...twoBurstsLines(fairness),
		"",
		...retriesLines(fairness),
		"",
		...slowReceiverLines(fairness),
		...(withTargets ? ["", ...targetsTable(fairnessTargets(fairness))] : []),
	];
}

function targetsTable(list: Target[]): string[] {
	return markdownTable(
		["target", "measured", ""],
		list.map((t) => [t.target, t.measured, t.met ? "met" : "MISSED"]),
	);
}

/** Every table and line of the results, as one text. */
export function resultTables(results: Results): string {
	const { latency, failure, isolation, machine } = results;
	return [
		`Hivepost benchmark, ${results.date}${results.quick ? " (quick)" : ""}, ${machine.nproc} cores ${machine.cpuModel}, ${results.durationSeconds} s`,
		"",
		...fanOutTable(results),
		"",
		`Latency run (N=${latency.n}, ${latency.eventsPerSecond} events/s, ${latency.deliveries} deliveries): ingest p50 ${f0(latency.ingestP50Ms)} ms, p99 ${f0(latency.ingestP99Ms)} ms; ingest-to-first-attempt p50 ${f0(latency.firstAttemptP50Ms)} ms, p99 ${f0(latency.firstAttemptP99Ms)} ms`,
		`Failure run (N=${failure.n}, ${failure.failRate * 100}% 500s, retry every ${failure.retryIntervalSeconds} s): ${failure.deliveries} deliveries, ${failure.answers500} answers were 500, ${f2(failure.attemptsPerDelivery)} attempts/delivery, sink ${failure.attemptsSeenAtSink} = D1 ${failure.attemptsRecordedInD1} attempts, delivered ${failure.delivered.d1}, failed ${failure.failed.d1}, wrong attempt counts: ${failure.deliveriesWithWrongAttemptCount}`,
		"",
		`Isolation (${isolation.eventsPerSecond} events/s for ${isolation.seconds} s per run, DELIVERY_TIMEOUT_MS=${isolation.deliveryTimeoutMs}; latency = event sent → first request with its webhook-id at the healthy endpoint; ">N": some had not arrived when the wait ended, N ms after the run's last event):`,
		"",
		...isolationTable(results),
		"",
		...fairnessTables(results.fairness, false),
		"",
		...fairnessRunsTable(results.fairnessRuns),
		"",
		...storageTable(results.storage),
		"",
		...moveTable(results.move),
		"",
		...targetsTable(results.targets),
	].join("\n");
}
