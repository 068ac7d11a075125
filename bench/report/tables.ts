/**
 * The results as text: the fan-out table, the latency and failure lines, the
 * isolation and burst tables, and the targets; printed after a run and put into
 * bench/README.md after a full one.
 */
import { f0, f2, isolationRuns, markdownTable, msOrBound } from "./format.ts";
import type { Results } from "./results.ts";

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
			`${run.events}${run.postErrors > 0 ? ` (${run.postErrors} POSTs failed)` : ""}`,
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

function burstLines({ burst }: Results): string[] {
	const phases = [
		["before the burst (baseline)", burst.quiet.baseline],
		["during noisy's burst", burst.quiet.burst],
		["after it, until noisy drained", burst.quiet.after],
	] as const;
	const table = markdownTable(
		["quiet's events, by when sent", "sent", "arrived", "p50 ms", "p99 ms", "max ms", "ingest p99 ms"],
		phases.map(([label, phase]) => [
			label,
			`${phase.sent}${phase.postErrors > 0 ? ` (${phase.postErrors} POSTs failed)` : ""}`,
			`${phase.arrived} of ${phase.events}`,
			msOrBound(phase.p50Ms, burst.quiet),
			msOrBound(phase.p99Ms, burst.quiet),
			msOrBound(phase.maxMs, burst.quiet),
			Number.isNaN(phase.ingestP99Ms) ? "n/a" : f0(phase.ingestP99Ms),
		]),
	);
	const states = (counts: Record<string, number>) =>
		Object.entries(counts)
			.map(([state, count]) => `${count} ${state}`)
			.join(", ");
	const { noisy } = burst;
	return [
		`One account's burst (account quiet: ${burst.quietEndpoints} endpoint, ${burst.quietEventsPerSecond} events/s throughout; account noisy: ${burst.noisyEndpoints} endpoints, a closed loop of ${burst.noisyConcurrency} requests for ${burst.burstSeconds} s; same queues, same D1; latency = quiet's event sent → its first attempt at quiet's endpoint; a measurement, no target):`,
		"",
		...table,
		"",
		`Noisy: ${noisy.eventsAccepted} events accepted in ${(noisy.burstMs / 1000).toFixed(1)} s (${f0(noisy.acceptedPerSecond)}/s, ${noisy.postErrors} POSTs failed), ${noisy.deliveries} deliveries; ${
			noisy.drained
				? `backlog drained (every delivery recorded in D1) ${f0(noisy.drainMs)} ms after the burst's start: ${f0(noisy.deliveriesPerSecond)} deliveries/s`
				: `backlog NOT drained: waited ${f0(noisy.waitedAfterBurstMs)} ms after the burst's end (>${f0(noisy.burstMs + noisy.waitedAfterBurstMs)} ms after its start)`
		}`,
		`Quiet's p99 during the burst ÷ baseline p99: ${Number.isFinite(burst.p99Ratio) ? `${f2(burst.p99Ratio)}x` : Number.isNaN(burst.p99Ratio) ? "n/a" : "n/a (some had not arrived)"}; endpoints' delivery states afterwards: quiet ${states(burst.endpointStatesAfter.quiet)}, noisy ${states(burst.endpointStatesAfter.noisy)}`,
	];
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
		...burstLines(results),
		"",
		...markdownTable(
			["target", "measured", ""],
			results.targets.map((t) => [t.target, t.measured, t.met ? "met" : "MISSED"]),
		),
	].join("\n");
}
