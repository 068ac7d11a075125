/**
 * The latency run (bench/README.md, "Method"): events at a fixed rate well
 * below saturation, at N = TARGET_N; latency = the sink's receive time of each
 * delivery's first attempt minus the time the client sent the event (same
 * clock, same process).
 */
import { waitFor } from "../../scripts/lib/waitFor.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { fixedRate, percentile } from "../lib/load.ts";
import { LATENCY_RATE, SIZES, TARGET_N } from "../settings.ts";
import { samples } from "./throughput.ts";

export async function latencyRun({ hivepost, sink, phase, tick }: BenchStack) {
	phase(`latency: ${LATENCY_RATE} events/s at N=${TARGET_N}`);
	sink.track(0);
	const sentAt = new Map<string, number>();
	const ingest = await fixedRate(
		SIZES.latencyEvents,
		LATENCY_RATE,
		async (i) => {
			const t0 = Date.now();
			sentAt.set((await hivepost.ingest(samples[i % samples.length])).body.event_id, t0);
		},
		tick,
	);
	const expected = sentAt.size * TARGET_N;
	await waitFor(() => sink.firstArrival.size >= expected, 60_000, `${expected} first attempts`);
	const latencies = [...sink.firstArrival].map(([key, at]) => at - (sentAt.get(key.split(" ")[0]) ?? Number.NaN));
	sink.stopTracking();
	return {
		n: TARGET_N,
		eventsPerSecond: LATENCY_RATE,
		events: sentAt.size,
		deliveries: latencies.length,
		ingestP50Ms: percentile(ingest.latencies, 50),
		ingestP99Ms: percentile(ingest.latencies, 99),
		firstAttemptP50Ms: percentile(latencies, 50),
		firstAttemptP99Ms: percentile(latencies, 99),
		firstAttemptMaxMs: Math.max(...latencies),
	};
}

export type LatencyResult = Awaited<ReturnType<typeof latencyRun>>;
