/**
 * The sink's HTTP server, run in a worker thread of its own (sink.ts starts
 * it), so that its answers never wait behind the load generator's work on the
 * main thread: real receivers are other machines. It answers at once (200,
 * or 500 for a chosen share while tracking) and reports what arrived to the
 * main thread in small batches, each arrival with the time it came.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort } from "node:worker_threads";
import { seededRandom } from "./seededRandom.ts";

/** What the main thread tells the server: track (with a fail rate and seed), stop tracking, close. */
export type SinkCommand = { track: { failRate: number; seed: number } } | { stopTracking: true } | { close: true };

/** What the server reports: its port once listening, then batches of arrivals (key and time only while tracking). */
export type SinkReport = { port: number } | { arrivals: { key: string | null; at: number; status: number }[] } | { closed: true };

/** Arrivals are reported at most this often: one message per batch keeps the main thread's share small. */
const REPORT_EVERY_MS = 5;

const port = parentPort;
if (!port) throw new Error("sinkServer.ts runs as a worker thread (bench/lib/sink.ts)");

let tracking = false;
let failRate = 0;
let random = seededRandom(1);
let pending: { key: string | null; at: number; status: number }[] = [];
let flushScheduled = false;

const report = (message: SinkReport) => port.postMessage(message);
const flush = () => {
	flushScheduled = false;
	if (!pending.length) return;
	report({ arrivals: pending });
	pending = [];
};

const server = createServer((req, res) => {
	req.resume();
	req.on("end", () => {
		let status = 200;
		let key: string | null = null;
		if (tracking) {
			key = `${String(req.headers["webhook-id"])} ${req.url ?? "/"}`;
			status = random() < failRate ? 500 : 200;
		}
		pending.push({ key, at: Date.now(), status });
		if (!flushScheduled) {
			flushScheduled = true;
			setTimeout(flush, REPORT_EVERY_MS);
		}
		res.writeHead(status, { "content-type": "text/plain", "content-length": "0" });
		res.end();
	});
});
server.keepAliveTimeout = 5000;

port.on("message", (command: SinkCommand) => {
	if ("track" in command) {
		flush();
		tracking = true;
		failRate = command.track.failRate;
		random = seededRandom(command.track.seed);
	} else if ("stopTracking" in command) {
		tracking = false;
		failRate = 0;
	} else {
		flush();
		server.closeAllConnections();
		server.close(() => {
			report({ closed: true });
			port.close();
		});
	}
});

server.listen(0, "127.0.0.1", () => report({ port: (server.address() as AddressInfo).port }));
