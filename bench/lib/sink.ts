/**
 * The benchmark's sink: a lean HTTP server on 127.0.0.1 that answers at once
 * (200, or 500 for a chosen share of answers) and keeps only counts, unless
 * asked to track each delivery's answers and first arrival. The server runs
 * in a worker thread (sinkServer.ts) and stamps each arrival there; this side
 * keeps the figures the scenarios read, a few milliseconds behind.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { SinkCommand, SinkReport } from "./sinkServer.ts";

export interface Sink {
	url: string;
	/** Requests received so far, of any kind. */
	received: number;
	/** Per delivery (`webhook-id path`), the statuses answered, in order; filled while tracking. */
	answers: Map<string, number[]>;
	/** Per delivery, when its first attempt arrived (ms); filled while tracking. */
	firstArrival: Map<string, number>;
	/** When the first request carrying `webhookId` arrived at `path` (ms), while tracking; undefined if none has. */
	firstArrivalAt(webhookId: string, path: string): number | undefined;
	/** Starts tracking deliveries (clearing what was tracked) and answers 500 to `failRate` of them, drawn from a seeded generator. */
	track(failRate: number, seed?: number): void;
	stopTracking(): void;
	close(): Promise<void>;
}

/** A delivery: one event (its webhook-id) at one endpoint (its path on the sink). */
const deliveryKey = (webhookId: string, path: string) => `${webhookId} ${path}`;

export async function startSink(): Promise<Sink> {
	const server = new Worker(new URL("./sinkServer.ts", import.meta.url));
	const command = (message: SinkCommand) => server.postMessage(message);
	const [first] = (await once(server, "message")) as [SinkReport];
	if (!("port" in first)) throw new Error("the sink's server did not start");
	const sink: Sink = {
		url: `http://127.0.0.1:${first.port}`,
		received: 0,
		answers: new Map(),
		firstArrival: new Map(),
		firstArrivalAt: (webhookId, path) => sink.firstArrival.get(deliveryKey(webhookId, path)),
		track(failRate, seed = 1) {
			sink.answers.clear();
			sink.firstArrival.clear();
			command({ track: { failRate, seed } });
		},
		stopTracking: () => command({ stopTracking: true }),
		close: async () => {
			command({ close: true });
			await once(server, "exit");
		},
	};
	server.on("message", (report: SinkReport) => {
		if (!("arrivals" in report)) return;
		for (const { key, at, status } of report.arrivals) {
			sink.received++;
			if (key === null) continue;
			const answers = sink.answers.get(key);
			if (answers) answers.push(status);
			else {
				sink.answers.set(key, [status]);
				sink.firstArrival.set(key, at);
			}
		}
	});
	return sink;
}
