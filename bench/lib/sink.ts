/**
 * The benchmark's sink: a lean HTTP server on 127.0.0.1 that answers at once
 * (200, or 500 for a chosen share of answers) and keeps only counts, unless
 * asked to track each delivery's answers and first arrival.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "./seededRandom.ts";

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
	let tracking = false;
	let failRate = 0;
	let random = seededRandom(1);
	const server = createServer((req, res) => {
		req.resume();
		req.on("end", () => {
			sink.received++;
			let status = 200;
			if (tracking) {
				const key = deliveryKey(String(req.headers["webhook-id"]), req.url ?? "/");
				status = random() < failRate ? 500 : 200;
				const answers = sink.answers.get(key);
				if (answers) answers.push(status);
				else {
					sink.answers.set(key, [status]);
					sink.firstArrival.set(key, Date.now());
				}
			}
			res.writeHead(status, { "content-type": "text/plain", "content-length": "0" });
			res.end();
		});
	});
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	const sink: Sink = {
		url: `http://127.0.0.1:${port}`,
		received: 0,
		answers: new Map(),
		firstArrival: new Map(),
		firstArrivalAt: (webhookId, path) => sink.firstArrival.get(deliveryKey(webhookId, path)),
		track(rate, seed = 1) {
			tracking = true;
			failRate = rate;
			random = seededRandom(seed);
			sink.answers.clear();
			sink.firstArrival.clear();
		},
		stopTracking() {
			tracking = false;
			failRate = 0;
		},
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	return sink;
}
