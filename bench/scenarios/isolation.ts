/**
 * The isolation scenario (bench/README.md, "Isolation scenario"): a healthy
 * endpoint's latency alone, beside an endpoint that answers slowly, and beside
 * one that never answers, with the fan-out runs' endpoints disabled meanwhile
 * so that only the scenario's endpoints get events.
 */
import { neverReply, replyAfter, startReceiver } from "../../scripts/lib/receiver.ts";
import { waitUntil } from "../../scripts/lib/waitFor.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { fixedRate, latencySummary, percentile } from "../lib/load.ts";
import { ISOLATION, isolationEvents, SETTINGS } from "../settings.ts";
import { samples } from "./throughput.ts";

type SecondEndpoint = "none" | "slow" | "hanging";

/**
 * One isolation run: a healthy endpoint (a path of the sink, which answers 200 at once) alone, or beside a second
 * endpoint subscribed to the same events that answers after ISOLATION.slowReplyMs or never; ISOLATION.rate events/s
 * for ISOLATION.seconds. Latency = the sink's receive time of the first request carrying the event's webhook-id at
 * the healthy endpoint minus the time the client sent the event (same clock, same process). Afterwards both
 * endpoints are deleted (cancelling what is unfinished), the receiver closed, and nothing is left in flight.
 */
async function isolationRun(stack: BenchStack, second: SecondEndpoint) {
	const { hivepost, sink } = stack;
	const label = { none: "alone", slow: `beside a ${ISOLATION.slowReplyMs} ms endpoint`, hanging: "beside a hanging endpoint" }[second];
	stack.phase(`isolation: healthy endpoint ${label}`);
	const runStarted = Date.now();
	const receiver = second === "none" ? undefined : await startReceiver(second === "slow" ? replyAfter(ISOLATION.slowReplyMs) : neverReply);
	if (receiver) stack.openReceivers.add(receiver);
	try {
		const path = `/isolation/${second}`;
		const endpoints = [(await hivepost.createEndpoint({ url: `${sink.url}${path}` })).body.id];
		if (receiver) endpoints.push((await hivepost.createEndpoint({ url: `${receiver.url}/${second}` })).body.id);
		// Time zero of "sent ≥ measureAfterMs after the second endpoint was added": it is live from here (alone: the run starts here).
		const addedAt = Date.now();
		sink.track(0);
		const sentAt = new Map<string, number>();
		const ingest = await fixedRate(
			isolationEvents,
			ISOLATION.rate,
			async (i) => {
				const t0 = Date.now();
				sentAt.set((await hivepost.ingest(samples[i % samples.length])).body.event_id, t0);
			},
			stack.tick,
		);
		const lastPostAt = Date.now();
		stack.phase(`isolation: healthy endpoint ${label}: waiting up to ${ISOLATION.waitMs / 1000} s for its deliveries`);
		const arrived = () => [...sentAt.keys()].filter((id) => sink.firstArrivalAt(id, path) !== undefined).length;
		// Bounded, and no error when it runs out: what has not arrived by then is reported as missing.
		await waitUntil(() => arrived() >= sentAt.size, ISOLATION.waitMs, 100);
		const waitedMs = Date.now() - lastPostAt;
		const events = [...sentAt].map(([id, at]) => ({
			sentAfterMs: at - addedAt,
			latencyMs: (sink.firstArrivalAt(id, path) ?? Number.POSITIVE_INFINITY) - at,
		}));
		sink.stopTracking();
		const all = latencySummary(events.map((event) => event.latencyMs));
		const result = {
			secondEndpoint: { none: "none", slow: `answers 200 after ${ISOLATION.slowReplyMs} ms`, hanging: "never answers" }[second],
			events: sentAt.size,
			postErrors: ingest.errors,
			arrived: all.arrived,
			/** How long after the run's last POST the missing deliveries were waited for. */
			waitedMs,
			measured: latencySummary(events.filter((event) => event.sentAfterMs >= ISOLATION.measureAfterMs).map((event) => event.latencyMs)),
			allEventsMaxMs: all.maxMs,
			ingestP99Ms: percentile(ingest.latencies, 99),
			/** Requests the second endpoint's receiver got (attempts, retries included): proof it was being delivered to. */
			secondEndpointRequests: receiver ? receiver.received.length : null,
		};
		// Leave nothing behind: deleting cancels the endpoints' unfinished deliveries, closing the receiver cuts those still being sent.
		stack.phase(`isolation: healthy endpoint ${label}: cleaning up`);
		for (const id of endpoints) await hivepost.deleteEndpoint(id);
		await receiver?.close();
		await stack.waitUntilIdle(`after the isolation run ${label}`);
		return { ...result, durationSeconds: Math.round((Date.now() - runStarted) / 1000) };
	} finally {
		sink.stopTracking();
		if (receiver) {
			await receiver.close();
			stack.openReceivers.delete(receiver);
		}
	}
}

/** Disables (or enables again) the fan-out runs' endpoints, so that while disabled no event reaches them. */
async function setEnabled({ hivepost }: BenchStack, endpoints: string[], enabled: boolean): Promise<void> {
	for (const id of endpoints) await hivepost.updateEndpoint(id, { enabled });
}

/** The three isolation runs, with `sinkEndpoints` (the fan-out runs') disabled meanwhile. */
export async function isolationScenario(stack: BenchStack, sinkEndpoints: string[]) {
	stack.phase("isolation: waiting until nothing is in flight");
	await stack.waitUntilIdle("before the isolation scenario");
	await setEnabled(stack, sinkEndpoints, false);
	const alone = await isolationRun(stack, "none");
	const beside2500ms = await isolationRun(stack, "slow");
	const besideHanging = await isolationRun(stack, "hanging");
	await setEnabled(stack, sinkEndpoints, true);
	const deliveryTimeoutMs = Number(SETTINGS.DELIVERY_TIMEOUT_MS);
	return {
		eventsPerSecond: ISOLATION.rate,
		seconds: ISOLATION.seconds,
		measureAfterMs: ISOLATION.measureAfterMs,
		slowReplyMs: ISOLATION.slowReplyMs,
		deliveryTimeoutMs,
		waitMs: ISOLATION.waitMs,
		p99TargetMs: ISOLATION.p99TargetMs,
		maxTargetMs: 2 * deliveryTimeoutMs,
		alone,
		beside2500ms,
		besideHanging,
	};
}

export type IsolationResult = Awaited<ReturnType<typeof isolationScenario>>;
export type IsolationRun = IsolationResult["alone"];
