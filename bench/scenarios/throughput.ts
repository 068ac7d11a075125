/**
 * The throughput run at one fan-out N (bench/README.md, "Method"): in each
 * round, four blocks of the same number of requests at a fixed concurrency, in
 * an order that rotates every round: the trivial route, the durable floor,
 * Hivepost's ingest (timed until the sink holds every delivery and D1 has
 * recorded every attempt) and the fan-out ceiling. Then the work per event
 * from the bench Worker's counters, and what it costs.
 */

import { allSamples } from "../../scripts/lib/samples.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import type { BenchStack, Work } from "../lib/benchStack.ts";
import { closedLoop, type LoadResult, summarize } from "../lib/load.ts";
import { costPerMillionEvents, type WorkPerEvent } from "../lib/prices.ts";
import { CONCURRENCY, eventsPerBlock, SIZES } from "../settings.ts";

export type Route = "trivial" | "floor" | "hivepost" | "ceiling";
export const ROUTES: Route[] = ["trivial", "floor", "hivepost", "ceiling"];

/** The 16 SupportBee samples, sent in turn. */
export const samples = allSamples().map((sample) => sample.body);

/** One request to `route`; throws on an unexpected answer. */
export async function send({ hivepost, sink }: BenchStack, route: Route, n: number, index: number): Promise<void> {
	const body = samples[index % samples.length];
	if (route === "trivial") await hivepost.health();
	else if (route === "floor") await hivepost.call("POST", "/bench/floor", { body, token: null, expect: 202 });
	else if (route === "hivepost") await hivepost.ingest(body);
	else await hivepost.call("POST", `/bench/ceiling?n=${n}&to=${encodeURIComponent(sink.url)}`, { body, token: null });
}

/** Registers endpoints on the sink (`/e0`, `/e1`, …, all subscribed to every event) until `endpoints` holds `n`. */
export async function registerSinkEndpoints({ hivepost, sink }: BenchStack, endpoints: string[], n: number): Promise<void> {
	while (endpoints.length < n) endpoints.push((await hivepost.createEndpoint({ url: `${sink.url}/e${endpoints.length}` })).body.id);
}

/** Every route once, so that start-up costs stay out of the figures; registers the first sink endpoint. */
export async function warmUp(stack: BenchStack, sinkEndpoints: string[]): Promise<void> {
	await stack.bench.setup();
	await registerSinkEndpoints(stack, sinkEndpoints, 1);
	for (const route of ROUTES) await send(stack, route, 1, 0);
	await waitFor(async () => (await stack.bench.recorded()).attempts >= 1, 10_000, "the warm-up delivery");
}

interface HivepostBlock {
	ingest: LoadResult;
	deliveries: number;
	/** From the first POST until the sink held every delivery and D1 had recorded every attempt. */
	endToEndMs: number;
}

async function hivepostBlock(stack: BenchStack, n: number, events: number): Promise<HivepostBlock> {
	const sinkBefore = stack.sink.received;
	const attemptsBefore = (await stack.bench.recorded()).attempts;
	const started = performance.now();
	const ingest = await closedLoop(events, CONCURRENCY, (i) => send(stack, "hivepost", n, i), stack.tick);
	const deliveries = (events - ingest.errors) * n;
	await waitFor(() => stack.sink.received - sinkBefore >= deliveries, 300_000, `${deliveries} deliveries at the sink`, 10);
	await waitFor(
		async () => (await stack.bench.recorded()).attempts - attemptsBefore >= deliveries,
		60_000,
		`${deliveries} attempts recorded`,
		10,
	);
	return { ingest, deliveries, endToEndMs: performance.now() - started };
}

/** The work counters per event: D1, queue and Durable Object work, where the time goes, and the cost. */
function perEvent(work: Work, events: number) {
	const parts = [work.ingest, work.delivery, work.retry, work.pacer];
	const sum = (key: keyof Work["ingest"]) => parts.reduce((total, part) => total + part[key], 0) / events;
	const totals: WorkPerEvent = {
		workerInvocations: (work.ingest.invocations + work.delivery.invocations) / events,
		d1RowsRead: sum("d1RowsRead"),
		d1RowsWritten: sum("d1RowsWritten"),
		// Every message sent: by ingest and the consumer (main lane, early retries), the retry alarms, and the pacers (bulk, isolation).
		queueMessages: sum("queueMessages"),
		// RPC calls (ingest's hand-offs, the consumer's reports and retry arming, the alarms' hand-overs) and alarms (retries, pacers).
		doRequests: sum("doRequests") + (work.retry.invocations + work.pacer.invocations) / events,
		doRowsWritten: sum("doRowsWritten"),
	};
	return {
		ingestD1Statements: work.ingest.d1Statements / events,
		ingestD1RowsWritten: work.ingest.d1RowsWritten / events,
		deliveryD1Statements: work.delivery.d1Statements / events,
		deliveryD1RowsWritten: work.delivery.d1RowsWritten / events,
		queueBatchesConsumed: work.delivery.invocations / events,
		d1StatementsWithoutMeta: sum("d1StatementsWithoutMeta"),
		// Where the time goes: handler wall time, and the part of it spent waiting for D1.
		profile: {
			ingestMsPerEvent: work.ingest.handlerMs / events,
			ingestD1MsPerEvent: work.ingest.d1Ms / events,
			deliveryBatches: work.delivery.invocations,
			messagesPerBatch:
				(work.ingest.queueMessages + work.retry.queueMessages + work.pacer.queueMessages) / Math.max(1, work.delivery.invocations),
			msPerBatch: work.delivery.handlerMs / Math.max(1, work.delivery.invocations),
			d1MsPerBatch: work.delivery.d1Ms / Math.max(1, work.delivery.invocations),
		},
		totals,
		costPerMillionEventsUsd: costPerMillionEvents(totals),
	};
}

/** The run at fan-out `n`, to the first `n` of `sinkEndpoints` (registered as needed). */
export async function fanOutRun(stack: BenchStack, n: number, sinkEndpoints: string[]) {
	const since = Date.now();
	await registerSinkEndpoints(stack, sinkEndpoints, n);
	await stack.bench.resetWork();
	const events = eventsPerBlock(n);
	const blocks: Record<Route, LoadResult[]> = { trivial: [], floor: [], hivepost: [], ceiling: [] };
	const hivepost: HivepostBlock[] = [];
	for (let round = 0; round < SIZES.rounds; round++) {
		// Interleaved, and the order rotates each round so no route always runs first or last.
		for (let r = 0; r < ROUTES.length; r++) {
			const route = ROUTES[(r + round) % ROUTES.length];
			stack.phase(`N=${n} round ${round + 1}/${SIZES.rounds}: ${route}`);
			if (route === "hivepost") {
				const block = await hivepostBlock(stack, n, events);
				hivepost.push(block);
				blocks.hivepost.push(block.ingest);
			} else {
				blocks[route].push(await closedLoop(events, CONCURRENCY, (i) => send(stack, route, n, i), stack.tick));
			}
		}
	}
	const work = await stack.bench.work();
	const { attemptMs } = await stack.bench.recorded(since);
	const ingest = { trivial: summarize(blocks.trivial), floor: summarize(blocks.floor), hivepost: summarize(blocks.hivepost) };
	const ceiling = summarize(blocks.ceiling, n);
	const deliveries = hivepost.reduce((sum, block) => sum + block.deliveries, 0);
	const endToEnd = deliveries / (hivepost.reduce((sum, block) => sum + block.endToEndMs, 0) / 1000);
	return {
		n,
		events: events * SIZES.rounds,
		deliveries,
		ingest,
		deliveriesPerSecond: { ceiling: ceiling.perSecond, hivepost: endToEnd },
		ceilingRequests: ceiling,
		ratios: {
			ingestToFloor: ingest.hivepost.perSecond / ingest.floor.perSecond,
			ingestToTrivial: ingest.hivepost.perSecond / ingest.trivial.perSecond,
			endToEndToCeiling: endToEnd / ceiling.perSecond,
		},
		work: perEvent(work, work.ingest.invocations),
		meanAttemptMs: attemptMs,
	};
}

export type FanOutResult = Awaited<ReturnType<typeof fanOutRun>>;
