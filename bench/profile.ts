/**
 * `npm run bench:profile`: where the Worker's CPU goes under the throughput
 * run's load at N = 10 (bench/README.md, "Profile"). It starts the bench
 * stack, warms it up, then records a V8 CPU profile of the Worker's isolate
 * through wrangler dev's inspector (port 9229, its default: keep it free)
 * while EVENTS events are sent by a closed loop of CONCURRENCY and their
 * deliveries drain. Prints the functions with the most time of their own and
 * in all, and writes the profile for Chrome DevTools. The profiler slows the
 * Worker: compare shares, not rates, with the bench's figures.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../scripts/lib/waitFor.ts";
import { startBenchStack } from "./lib/benchStack.ts";
import { closedLoop } from "./lib/load.ts";
import { registerSinkEndpoints, send, warmUp } from "./scenarios/throughput.ts";
import { CONCURRENCY, TARGET_N } from "./settings.ts";

const EVENTS = 600;
const INSPECTOR = "http://127.0.0.1:9229";
const SAMPLING_INTERVAL_US = 500;

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** One DevTools session with the Worker's isolate: `call` sends a command and resolves with its result. */
async function inspect() {
	const [target] = (await (await fetch(`${INSPECTOR}/json`)).json()) as { webSocketDebuggerUrl: string }[];
	// The inspector proxy refuses an upgrade without an Origin it knows; Node's WebSocket takes headers.
	const init = { headers: { origin: "http://localhost" } } as unknown as string[];
	const socket = new WebSocket(target.webSocketDebuggerUrl, init);
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve);
		socket.addEventListener("close", () => reject(new Error(`the inspector at ${INSPECTOR} closed the session`)));
	});
	const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
	socket.addEventListener("message", (message) => {
		const { id, result, error } = JSON.parse(String(message.data)) as { id?: number; result?: unknown; error?: { message: string } };
		const waiting = id === undefined ? undefined : pending.get(id);
		if (error) waiting?.reject(new Error(`the inspector refused a command: ${error.message}`));
		else waiting?.resolve(result);
	});
	let nextId = 0;
	const call = <T>(method: string, params = {}) =>
		new Promise<T>((resolve, reject) => {
			const id = ++nextId;
			pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
			socket.send(JSON.stringify({ id, method, params }));
		});
	return { call, close: () => socket.close() };
}

/** A function as the tables show it: the runtime's own (no script), the runtime's internal modules, or the Worker's bundle. */
function nameOf({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
	const where = url === "" ? "runtime" : url.startsWith("cloudflare-internal:") ? url : `bundle line ${lineNumber + 1}`;
	return `${functionName || "(anonymous)"} (${where})`;
}

/** Milliseconds per function: its own (self) and with everything it called (total, each function once per sample). */
function timeByFunction(profile: CpuProfile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const self = new Map<string, number>();
	const total = new Map<string, number>();
	profile.samples.forEach((id, i) => {
		const ms = (profile.timeDeltas[i] ?? 0) / 1000;
		const leaf = byId.get(id);
		if (leaf) {
			const name = nameOf(leaf);
			self.set(name, (self.get(name) ?? 0) + ms);
		}
		const seen = new Set<string>();
		for (let node = leaf; node; node = byId.get(parentOf.get(node.id) ?? -1)) seen.add(nameOf(node));
		for (const name of seen) total.set(name, (total.get(name) ?? 0) + ms);
	});
	return { self, total, sampledMs: total.get(nameOf(profile.nodes[0])) ?? 0 };
}

function top(title: string, times: Map<string, number>, sampledMs: number, count = 25): string[] {
	const rows = [...times].sort((a, b) => b[1] - a[1]).slice(0, count);
	return [
		title,
		...rows.map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / sampledMs).toFixed(1).padStart(5)}%  ${name}`),
	];
}

const stack = await startBenchStack(EVENTS);
try {
	const sinkEndpoints: string[] = [];
	await warmUp(stack, sinkEndpoints);
	await registerSinkEndpoints(stack, sinkEndpoints, TARGET_N);
	const attemptsBefore = (await stack.bench.recorded()).attempts;
	const inspector = await inspect();
	await inspector.call("Profiler.enable");
	await inspector.call("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
	await inspector.call("Profiler.start");
	stack.phase(`profiling: ${EVENTS} events at N = ${TARGET_N}, until delivered`);
	await closedLoop(EVENTS, CONCURRENCY, (i) => send(stack, "hivepost", TARGET_N, i), stack.tick);
	await waitFor(async () => (await stack.bench.recorded()).attempts - attemptsBefore >= EVENTS * TARGET_N, 300_000, "every delivery", 100);
	const { profile } = await inspector.call<{ profile: CpuProfile }>("Profiler.stop");
	inspector.close();
	const file = join(tmpdir(), `hivepost-${Date.now()}.cpuprofile`);
	writeFileSync(file, JSON.stringify(profile));
	const { self, total, sampledMs } = timeByFunction(profile);
	stack.phase("done");
	console.log(
		[
			"",
			`Sampled ${sampledMs.toFixed(0)} ms of the Worker's isolate; "(idle)" is time it waited.`,
			...top("\nMost time of their own:", self, sampledMs),
			...top("\nMost time in all (calls included):", total, sampledMs),
			`\nThe whole profile, for Chrome DevTools (Performance, Load profile): ${file}`,
		].join("\n"),
	);
} finally {
	await stack.cleanUp();
}
