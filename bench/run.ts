/**
 * `npm run bench` (`-- --quick` for a small smoke run): Hivepost's throughput,
 * latency and work per event on the real local stack (wrangler dev with local
 * D1, Queues and Durable Objects, the bench build from bench/wrangler.toml),
 * delivering to a sink on 127.0.0.1, with the baselines measured interleaved
 * in the same run; the isolation scenario: a healthy endpoint's latency
 * alone, beside a slow and beside a hanging endpoint; and the burst scenario:
 * one account's latency while another account's burst fills the shared
 * queue. Prints a table, writes
 * bench/results/<date>.json and .svg, and (full runs) puts the table into
 * bench/README.md.
 * Method and targets: bench/README.md.
 */
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { applyLocalMigrations, freePort, PROJECT_ROOT, startLocalStack, writeSettingsFile } from "../scripts/lib/localStack.ts";
import { neverReply, type Receiver, replyAfter, startReceiver } from "../scripts/lib/receiver.ts";
import { allSamples } from "../scripts/lib/samples.ts";
import { waitFor, waitUntil } from "../scripts/lib/waitFor.ts";
import { barChart } from "./lib/chart.ts";
import { closedLoop, closedLoopFor, fixedRate, fixedRateWhile, type LoadResult, percentile } from "./lib/load.ts";
import { costPerMillionEvents, PRICES, type WorkPerEvent } from "./lib/prices.ts";
import { startSink } from "./lib/sink.ts";
import type { WorkBucket, WorkCounts } from "./worker/counts.ts";

const quick = process.argv.includes("--quick");

/** Sizes chosen so the full run stays well under 10 minutes on a 2-core machine (bench/README.md). */
const SIZES = quick
	? { deliveriesPerN: 400, rounds: 2, latencyEvents: 40, failureEvents: 30 }
	: { deliveriesPerN: 12000, rounds: 5, latencyEvents: 300, failureEvents: 200 };
const FANOUTS = [1, 10, 100];
/** Requests in flight at all times during the throughput blocks. */
const CONCURRENCY = 16;
/** Latency and failure runs fan out to this many endpoints (the N the targets are stated at). */
const TARGET_N = 10;
/** Events per second in the latency run, well below saturation (see the measured throughput at N = 10). */
const LATENCY_RATE = 10;
const FAIL_RATE = 0.1;
/**
 * The isolation scenario (bench/README.md, "Isolation scenario"): runs of `seconds`
 * at `rate` events/s; latencies are summed up over the events sent `measureAfterMs`
 * or more after the second endpoint was added.
 */
const ISOLATION = {
	rate: 10,
	...(quick ? { seconds: 6, measureAfterMs: 3000 } : { seconds: 15, measureAfterMs: 5000 }),
	/** The slow endpoint answers 200 this long after a request arrives: within DELIVERY_TIMEOUT_MS, so it succeeds, slowly. */
	slowReplyMs: 2500,
	/** After a run's last event, how long the healthy deliveries still missing may take to arrive. */
	waitMs: 90_000,
	/** Targets: p99 under this over the measured events, and no healthy delivery slower than 2 × DELIVERY_TIMEOUT_MS. */
	p99TargetMs: 1000,
};
/**
 * The burst scenario (bench/README.md, "One account's burst"): account `quiet` sends `quietRate` events/s for the
 * whole scenario; after `baselineSeconds`, account `noisy` sends as many events as the stack accepts for
 * `burstSeconds` (a closed loop of CONCURRENCY requests). Both share the two queues and D1. A measurement: no target.
 */
const BURST = {
	quietRate: 10,
	quietEndpoints: 1,
	noisyEndpoints: 10,
	...(quick ? { baselineSeconds: 3, burstSeconds: 3 } : { baselineSeconds: 10, burstSeconds: 10 }),
	/** After the burst, how long noisy's backlog may take to drain before the scenario stops waiting (quiet stops then too). */
	drainWaitMs: 180_000,
	/** After quiet's last event, how long its deliveries still missing may take to arrive. */
	waitMs: 60_000,
};
/** "Nothing in flight": no delivery pending or retrying, and no attempt, consumer batch or retry alarm for this long (2 retry intervals). */
const QUIET_MS = 2000;
const SETTINGS = {
	ADMIN_TOKEN: randomBytes(18).toString("base64url"),
	INGEST_TOKEN: randomBytes(18).toString("base64url"),
	RETRY_INTERVAL_SECONDS: "1",
	MAX_RETRIES: "3",
	// The isolation scenario's setting (its targets are stated for 3000); nothing else depends on it, as the sink answers at once.
	DELIVERY_TIMEOUT_MS: "3000",
	// The sweep never runs here (no cron locally); a long threshold documents that it would not interfere.
	STRANDED_AFTER_SECONDS: "600",
	RETENTION_DAYS: "30",
	HTTPS_ONLY: "false",
	ALLOW_PRIVATE_DESTINATIONS: "true",
	PUBLIC_ORIGINS: "",
};
const CONFIG = "bench/wrangler.toml";
const RESULTS_START = "<!-- results:start (written by npm run bench) -->";
const RESULTS_END = "<!-- results:end -->";

const samples = allSamples().map((sample) => sample.body);

type Route = "trivial" | "floor" | "hivepost" | "ceiling";
const ROUTES: Route[] = ["trivial", "floor", "hivepost", "ceiling"];

interface Summary {
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	requests: number;
	errors: number;
}

function summarize(results: LoadResult[], unitsPerRequest = 1): Summary {
	const requests = results.reduce((sum, r) => sum + r.requests, 0);
	const errors = results.reduce((sum, r) => sum + r.errors, 0);
	const seconds = results.reduce((sum, r) => sum + r.elapsedMs, 0) / 1000;
	const latencies = results.flatMap((r) => r.latencies);
	return {
		perSecond: ((requests - errors) * unitsPerRequest) / seconds,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		requests,
		errors,
	};
}

function machine() {
	const cpuModel = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown";
	return {
		nproc: availableParallelism(),
		cpuModel,
		memory: execSync("free -h", { encoding: "utf8" }).trimEnd(),
		node: process.version,
	};
}

const uptime = () => execSync("uptime", { encoding: "utf8" }).trim();

// ---------------------------------------------------------------- the stack

const loadBefore = uptime();
const stateDir = mkdtempSync(join(tmpdir(), "hivepost-bench-"));
const envFile = writeSettingsFile(stateDir, SETTINGS);
const sink = await startSink();
applyLocalMigrations(stateDir, CONFIG);
const stack = await startLocalStack({ port: await freePort(), persistTo: stateDir, envFile, configPath: CONFIG }).catch(async (error) => {
	await sink.close();
	rmSync(stateDir, { recursive: true, force: true });
	throw error;
});
/** The isolation scenario's slow and hanging receivers while they run, so a failure or a signal closes them too. */
const openReceivers = new Set<Receiver>();
let cleanedUp = false;
const cleanUp = async () => {
	if (cleanedUp) return;
	cleanedUp = true;
	await stack.stop();
	await Promise.all([...openReceivers].map((receiver) => receiver.close()));
	await sink.close();
	rmSync(stateDir, { recursive: true, force: true });
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		void cleanUp().then(() => process.exit(130));
	});
}

async function call(path: string, init: RequestInit = {}, expected = 200): Promise<Response> {
	const response = await fetch(`${stack.url}${path}`, init);
	if (response.status !== expected) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
	return response;
}

const jsonHeaders = { "content-type": "application/json" };
const ingestHeaders = { ...jsonHeaders, authorization: `Bearer ${SETTINGS.INGEST_TOKEN}` };
const adminHeaders = { ...jsonHeaders, authorization: `Bearer ${SETTINGS.ADMIN_TOKEN}` };

interface Recorded {
	deliveries: Record<string, number>;
	attempts: number;
	/** Mean duration of the attempts started since the time asked for (ms): how long one fetch to the sink takes. */
	attemptMs: number | null;
}

async function recorded(since = 0): Promise<Recorded> {
	return (await call(`/bench/recorded?since=${since}`)).json() as Promise<Recorded>;
}

async function postEvent(index: number): Promise<string> {
	const response = await call("/events", { method: "POST", headers: ingestHeaders, body: samples[index % samples.length] }, 202);
	return ((await response.json()) as { event_id: string }).event_id;
}

/** One request to `route`; throws on an unexpected answer. */
async function send(route: Route, n: number, index: number): Promise<void> {
	const body = samples[index % samples.length];
	const response =
		route === "trivial"
			? await call("/health")
			: route === "floor"
				? await call("/bench/floor", { method: "POST", headers: jsonHeaders, body }, 202)
				: route === "hivepost"
					? await call("/events", { method: "POST", headers: ingestHeaders, body }, 202)
					: await call(`/bench/ceiling?n=${n}&to=${encodeURIComponent(sink.url)}`, { method: "POST", headers: jsonHeaders, body });
	await response.arrayBuffer();
}

/** The API of the default account, or of the account `uid`. */
const accountApi = (uid?: string) => (uid ? `/api/accounts/${uid}` : "/api");

/** Registers an endpoint subscribed to every event (of the default account, or of the account `uid`); returns its id. */
async function createEndpoint(url: string, uid?: string): Promise<string> {
	const init = { method: "POST", headers: adminHeaders, body: JSON.stringify({ url }) };
	const response = await call(`${accountApi(uid)}/endpoints`, init, 201);
	return ((await response.json()) as { id: string }).id;
}

/** Creates the account `uid` (it must not exist yet). */
async function createAccount(uid: string): Promise<void> {
	await (await call(`/api/accounts/${uid}`, { method: "PUT", headers: adminHeaders, body: "{}" }, 201)).arrayBuffer();
}

/** Deletes the account `uid`: its endpoints are deleted and their unfinished deliveries cancelled at once. */
async function deleteAccount(uid: string): Promise<void> {
	await (await call(`/api/accounts/${uid}`, { method: "DELETE", headers: adminHeaders }, 204)).arrayBuffer();
}

/** Sends a sample as an event of the account `uid`; returns the event's id (its deliveries' webhook-id) and its deliveries. */
async function postAccountEvent(uid: string, index: number): Promise<{ eventId: string; deliveries: number }> {
	const init = { method: "POST", headers: ingestHeaders, body: samples[index % samples.length] };
	const receipt = (await (await call(`/accounts/${uid}/events`, init, 202)).json()) as { event_id: string; deliveries: number };
	return { eventId: receipt.event_id, deliveries: receipt.deliveries };
}

/** Whether the account `uid` has a delivery pending or retrying, from its deliveries API (one page each suffices). */
async function hasUnfinishedDeliveries(uid: string): Promise<boolean> {
	const pages = await Promise.all(
		["pending", "retrying"].map(async (status) => {
			const response = await call(`${accountApi(uid)}/deliveries?status=${status}`, { headers: adminHeaders });
			return (await response.json()) as { deliveries: unknown[] };
		}),
	);
	return pages.some((page) => page.deliveries.length > 0);
}

/** How many of the account's endpoints are in each delivery state (healthy, slow, isolated, saturated). */
async function endpointStates(uid: string): Promise<Record<string, number>> {
	const response = await call(`${accountApi(uid)}/endpoints`, { headers: adminHeaders });
	const { endpoints } = (await response.json()) as { endpoints: { delivery_state: { state: string } }[] };
	const states: Record<string, number> = {};
	for (const endpoint of endpoints) states[endpoint.delivery_state.state] = (states[endpoint.delivery_state.state] ?? 0) + 1;
	return states;
}

/** Deletes an endpoint through the admin API, which cancels its unfinished deliveries. */
async function deleteEndpoint(id: string): Promise<void> {
	await (await call(`/api/endpoints/${id}`, { method: "DELETE", headers: adminHeaders }, 204)).arrayBuffer();
}

/** The fan-out runs' endpoints on the sink, in the order registered (`/e0`, `/e1`, …). */
const sinkEndpoints: string[] = [];
async function registerEndpoints(n: number): Promise<void> {
	while (sinkEndpoints.length < n) sinkEndpoints.push(await createEndpoint(`${sink.url}/e${sinkEndpoints.length}`));
}

/** Disables (or enables again) the fan-out runs' endpoints, so that while disabled no event reaches them. */
async function setSinkEndpointsEnabled(enabled: boolean): Promise<void> {
	for (const id of sinkEndpoints) {
		const init = { method: "PATCH", headers: adminHeaders, body: JSON.stringify({ enabled }) };
		await (await call(`/api/endpoints/${id}`, init)).arrayBuffer();
	}
}

/** Waits until nothing is in flight: no delivery pending or retrying, and no attempt, consumer batch or retry alarm for QUIET_MS. */
async function waitUntilIdle(what: string): Promise<void> {
	let last = "";
	let changedAt = Date.now();
	await waitFor(
		async () => {
			const [now, work] = await Promise.all([
				recorded(),
				call("/bench/work").then((response) => response.json() as Promise<Record<WorkBucket, WorkCounts>>),
			]);
			const unfinished = (now.deliveries.pending ?? 0) + (now.deliveries.retrying ?? 0);
			const state = JSON.stringify([unfinished, now.attempts, work.delivery.invocations, work.retry.invocations]);
			if (state !== last) {
				last = state;
				changedAt = Date.now();
			}
			return unfinished === 0 && Date.now() - changedAt >= QUIET_MS;
		},
		120_000,
		`nothing in flight ${what}`,
		250,
	);
}

// ---------------------------------------------------------------- progress

const eventsPerBlock = (n: number) => Math.max(1, Math.round(SIZES.deliveriesPerN / n / SIZES.rounds));
const isolationEvents = ISOLATION.seconds * ISOLATION.rate;
/** The burst scenario's events known ahead: quiet's before and during the burst (noisy's and quiet's later ones depend on the stack). */
const burstPlannedQuietEvents = BURST.quietRate * (BURST.baselineSeconds + BURST.burstSeconds);
const plannedRequests =
	FANOUTS.reduce((sum, n) => sum + eventsPerBlock(n) * SIZES.rounds * ROUTES.length, 0) +
	SIZES.latencyEvents +
	SIZES.failureEvents +
	3 * isolationEvents +
	burstPlannedQuietEvents;
const progress = new cliProgress.SingleBar(
	{ format: "{bar} {percentage}% | {value}/{total} requests | {phase}", hideCursor: true },
	cliProgress.Presets.shades_classic,
);
progress.start(plannedRequests, 0, { phase: "warming up" });
const tick = () => progress.increment();

// ---------------------------------------------------------------- runs

interface HivepostBlock {
	ingest: LoadResult;
	deliveries: number;
	/** From the first POST until the sink held every delivery and D1 had recorded every attempt. */
	endToEndMs: number;
}

async function hivepostBlock(n: number, events: number): Promise<HivepostBlock> {
	const sinkBefore = sink.received;
	const attemptsBefore = (await recorded()).attempts;
	const started = performance.now();
	const ingest = await closedLoop(events, CONCURRENCY, (i) => send("hivepost", n, i), tick);
	const deliveries = (events - ingest.errors) * n;
	await waitFor(() => sink.received - sinkBefore >= deliveries, 300_000, `${deliveries} deliveries at the sink`, 10);
	await waitFor(async () => (await recorded()).attempts - attemptsBefore >= deliveries, 60_000, `${deliveries} attempts recorded`, 10);
	return { ingest, deliveries, endToEndMs: performance.now() - started };
}

function perEvent(work: Record<WorkBucket, WorkCounts>, events: number) {
	const parts = [work.ingest, work.delivery, work.retry];
	const sum = (key: keyof WorkCounts) => parts.reduce((total, part) => total + part[key], 0) / events;
	const totals: WorkPerEvent = {
		workerInvocations: (work.ingest.invocations + work.delivery.invocations) / events,
		d1RowsRead: sum("d1RowsRead"),
		d1RowsWritten: sum("d1RowsWritten"),
		queueMessages: sum("queueMessages"),
		doRequests: (work.delivery.doRequests + work.retry.doRequests + work.retry.invocations) / events,
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
			messagesPerBatch: (work.ingest.queueMessages + work.retry.queueMessages) / Math.max(1, work.delivery.invocations),
			msPerBatch: work.delivery.handlerMs / Math.max(1, work.delivery.invocations),
			d1MsPerBatch: work.delivery.d1Ms / Math.max(1, work.delivery.invocations),
		},
		totals,
		costPerMillionEventsUsd: costPerMillionEvents(totals),
	};
}

async function fanOutRun(n: number) {
	const since = Date.now();
	await registerEndpoints(n);
	await call("/bench/work/reset", { method: "POST" });
	const events = eventsPerBlock(n);
	const blocks: Record<Route, LoadResult[]> = { trivial: [], floor: [], hivepost: [], ceiling: [] };
	const hivepost: HivepostBlock[] = [];
	for (let round = 0; round < SIZES.rounds; round++) {
		// Interleaved, and the order rotates each round so no route always runs first or last.
		for (let r = 0; r < ROUTES.length; r++) {
			const route = ROUTES[(r + round) % ROUTES.length];
			progress.update({ phase: `N=${n} round ${round + 1}/${SIZES.rounds}: ${route}` });
			if (route === "hivepost") {
				const block = await hivepostBlock(n, events);
				hivepost.push(block);
				blocks.hivepost.push(block.ingest);
			} else {
				blocks[route].push(await closedLoop(events, CONCURRENCY, (i) => send(route, n, i), tick));
			}
		}
	}
	const work = (await (await call("/bench/work")).json()) as Record<WorkBucket, WorkCounts>;
	const { attemptMs } = await recorded(since);
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

/** Events at a fixed rate well below saturation: time from sending the event to the sink receiving each delivery. */
async function latencyRun() {
	progress.update({ phase: `latency: ${LATENCY_RATE} events/s at N=${TARGET_N}` });
	sink.track(0);
	const sentAt = new Map<string, number>();
	const ingest = await fixedRate(
		SIZES.latencyEvents,
		LATENCY_RATE,
		async (i) => {
			const t0 = Date.now();
			sentAt.set(await postEvent(i), t0);
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

/** 10% of the sink's answers are 500s: every delivery must get exactly 1 + (failures before success, at most MAX_RETRIES) attempts. */
async function failureRun() {
	progress.update({ phase: `failure mode: ${FAIL_RATE * 100}% 500s at N=${TARGET_N}` });
	const maxAttempts = Number(SETTINGS.MAX_RETRIES) + 1;
	const before = await recorded();
	await call("/bench/work/reset", { method: "POST" });
	sink.track(FAIL_RATE, 42);
	const ingest = await closedLoop(SIZES.failureEvents, CONCURRENCY, (i) => send("hivepost", TARGET_N, i), tick);
	const deliveries = (SIZES.failureEvents - ingest.errors) * TARGET_N;
	const sinkAnswers = () => [...sink.answers.values()].reduce((sum, answers) => sum + answers.length, 0);
	progress.update({ phase: "failure mode: waiting for the retries" });
	await waitFor(
		async () => {
			const now = await recorded();
			const unfinished = (now.deliveries.pending ?? 0) + (now.deliveries.retrying ?? 0);
			return sink.answers.size >= deliveries && unfinished === 0 && now.attempts - before.attempts >= sinkAnswers();
		},
		120_000,
		"every failed delivery to finish its retries",
		100,
	);
	const after = await recorded();
	const work = (await (await call("/bench/work")).json()) as Record<WorkBucket, WorkCounts>;
	sink.stopTracking();
	const sequences = [...sink.answers.values()];
	// Exact: failures then one success within the budget, or exactly the whole budget of failures.
	const exact = (answers: number[]) => {
		const failures = answers.filter((status) => status !== 200).length;
		const succeeded = answers.at(-1) === 200;
		return succeeded ? failures === answers.length - 1 && answers.length <= maxAttempts : answers.length === maxAttempts;
	};
	const attemptsSeen = sinkAnswers();
	const delta = (status: string) => (after.deliveries[status] ?? 0) - (before.deliveries[status] ?? 0);
	return {
		n: TARGET_N,
		failRate: FAIL_RATE,
		retryIntervalSeconds: Number(SETTINGS.RETRY_INTERVAL_SECONDS),
		maxAttemptsPerDelivery: maxAttempts,
		deliveries,
		deliveriesSeenAtSink: sequences.length,
		attemptsSeenAtSink: attemptsSeen,
		attemptsRecordedInD1: after.attempts - before.attempts,
		attemptsPerDelivery: attemptsSeen / sequences.length,
		answers500: sequences.flat().filter((status) => status !== 200).length,
		deliveriesWithWrongAttemptCount: sequences.filter((answers) => !exact(answers)).length,
		delivered: { sink: sequences.filter((answers) => answers.at(-1) === 200).length, d1: delta("delivered") },
		failed: { sink: sequences.filter((answers) => answers.at(-1) !== 200).length, d1: delta("failed") },
		retryAlarms: work.retry.invocations,
		retryScheduleCalls: work.delivery.doRequests + work.retry.doRequests,
		exact: false,
	};
}

type SecondEndpoint = "none" | "slow" | "hanging";

/** Latencies at the healthy endpoint, ms: Infinity for an event that had not arrived when the wait ended (null in the JSON). */
function latencySummary(latencies: number[]) {
	return {
		events: latencies.length,
		arrived: latencies.filter(Number.isFinite).length,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
	};
}

/** A latency for print: whole ms; for an event still missing when the wait ended, the bound it is known to exceed. */
function msOrBound(value: number, run: { waitedMs: number }): string {
	if (Number.isNaN(value)) return "n/a";
	return Number.isFinite(value) ? value.toFixed(0) : `>${run.waitedMs.toFixed(0)}`;
}

/**
 * One isolation run: a healthy endpoint (a path of the sink, which answers 200 at once) alone, or beside a second
 * endpoint subscribed to the same events that answers after ISOLATION.slowReplyMs or never; ISOLATION.rate events/s
 * for ISOLATION.seconds. Latency = the sink's receive time of the first request carrying the event's webhook-id at
 * the healthy endpoint minus the time the client sent the event (same clock, same process). Afterwards both
 * endpoints are deleted (cancelling what is unfinished), the receiver closed, and nothing is left in flight.
 */
async function isolationRun(second: SecondEndpoint) {
	const label = { none: "alone", slow: `beside a ${ISOLATION.slowReplyMs} ms endpoint`, hanging: "beside a hanging endpoint" }[second];
	progress.update({ phase: `isolation: healthy endpoint ${label}` });
	const runStarted = Date.now();
	const receiver = second === "none" ? undefined : await startReceiver(second === "slow" ? replyAfter(ISOLATION.slowReplyMs) : neverReply);
	if (receiver) openReceivers.add(receiver);
	try {
		const path = `/isolation/${second}`;
		const endpoints = [await createEndpoint(`${sink.url}${path}`)];
		if (receiver) endpoints.push(await createEndpoint(`${receiver.url}/${second}`));
		// Time zero of "sent ≥ measureAfterMs after the second endpoint was added": it is live from here (alone: the run starts here).
		const addedAt = Date.now();
		sink.track(0);
		const sentAt = new Map<string, number>();
		const ingest = await fixedRate(
			isolationEvents,
			ISOLATION.rate,
			async (i) => {
				const t0 = Date.now();
				sentAt.set(await postEvent(i), t0);
			},
			tick,
		);
		const lastPostAt = Date.now();
		progress.update({ phase: `isolation: healthy endpoint ${label}: waiting up to ${ISOLATION.waitMs / 1000} s for its deliveries` });
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
		progress.update({ phase: `isolation: healthy endpoint ${label}: cleaning up` });
		for (const id of endpoints) await deleteEndpoint(id);
		await receiver?.close();
		await waitUntilIdle(`after the isolation run ${label}`);
		return { ...result, durationSeconds: Math.round((Date.now() - runStarted) / 1000) };
	} finally {
		sink.stopTracking();
		if (receiver) {
			await receiver.close();
			openReceivers.delete(receiver);
		}
	}
}

/** The three isolation runs, with the fan-out runs' endpoints disabled meanwhile so only the scenario's endpoints get events. */
async function isolationScenario() {
	progress.update({ phase: "isolation: waiting until nothing is in flight" });
	await waitUntilIdle("before the isolation scenario");
	await setSinkEndpointsEnabled(false);
	const alone = await isolationRun("none");
	const beside2500ms = await isolationRun("slow");
	const besideHanging = await isolationRun("hanging");
	await setSinkEndpointsEnabled(true);
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

type BurstPhase = "baseline" | "burst" | "after";

/** One of quiet's events: when it was sent, how long its POST took, and its id (null if the POST failed). */
interface QuietEvent {
	sentAt: number;
	postMs: number;
	eventId: string | null;
}

/**
 * One account's burst beside another's steady traffic, both sharing the queues and D1 (bench/README.md, "One account's
 * burst"). Account `quiet` (1 endpoint on the sink) sends BURST.quietRate events/s for the whole scenario: for
 * BURST.baselineSeconds before the burst, during it, and after it until noisy's backlog has drained. Account `noisy`
 * (10 endpoints on the sink) sends as many events as the stack accepts for BURST.burstSeconds: CONCURRENCY requests in
 * flight. Quiet's latency = the sink's receive time of an event's first attempt at quiet's endpoint minus the time the
 * client sent it (same clock), summed up by the phase the event was sent in. Noisy's backlog has drained when the sink
 * holds every noisy delivery and D1 has none pending or retrying. Both accounts are deleted afterwards.
 */
async function burstScenario() {
	const quietPath = "/burst/quiet";
	const noisyPathPart = " /burst/noisy/";
	progress.update({ phase: "burst: waiting until nothing is in flight" });
	await waitUntilIdle("before the burst scenario");
	const scenarioStarted = Date.now();
	await createAccount("quiet");
	await createAccount("noisy");
	await createEndpoint(`${sink.url}${quietPath}`, "quiet");
	for (let i = 0; i < BURST.noisyEndpoints; i++) await createEndpoint(`${sink.url}/burst/noisy/${i}`, "noisy");
	// Phase boundaries (Date.now()): quiet's events sent before `burstStart` are the baseline, before `burstEnd` the burst's.
	let burstStart = Number.POSITIVE_INFINITY;
	let burstEnd = Number.POSITIVE_INFINITY;
	let stopQuiet = false;
	sink.track(0);
	try {
		const quietEvents: QuietEvent[] = [];
		let quietDone = 0;
		const quietLoad = fixedRateWhile(
			() => !stopQuiet,
			BURST.quietRate,
			async (i) => {
				const event: QuietEvent = { sentAt: Date.now(), postMs: Number.NaN, eventId: null };
				quietEvents.push(event);
				try {
					event.eventId = (await postAccountEvent("quiet", i)).eventId;
				} finally {
					event.postMs = Date.now() - event.sentAt;
				}
			},
			// The bar counts quiet's events known ahead (before and during the burst) only.
			() => {
				if (++quietDone <= burstPlannedQuietEvents) tick();
			},
		);
		progress.update({ phase: `burst: quiet alone (${BURST.baselineSeconds} s baseline)` });
		await new Promise((resolve) => setTimeout(resolve, BURST.baselineSeconds * 1000));

		progress.update({ phase: `burst: noisy sends ${CONCURRENCY} at once for ${BURST.burstSeconds} s` });
		burstStart = Date.now();
		let noisyDeliveries = 0;
		const noisyIngest = await closedLoopFor(BURST.burstSeconds * 1000, CONCURRENCY, async (i) => {
			// Not `noisyDeliveries += (await …)`: that reads the sum before the await, and the 16 lanes would overwrite each other's.
			const { deliveries } = await postAccountEvent("noisy", i);
			noisyDeliveries += deliveries;
		});
		burstEnd = Date.now();

		progress.update({ phase: `burst: waiting for noisy's ${noisyDeliveries} deliveries to drain` });
		const noisyArrivals = () => [...sink.firstArrival].filter(([key]) => key.includes(noisyPathPart));
		// The sink first (no load on the stack), then D1: none of noisy's deliveries left pending or retrying.
		const drained = await waitUntil(
			async () => noisyArrivals().length >= noisyDeliveries && !(await hasUnfinishedDeliveries("noisy")),
			BURST.drainWaitMs,
			50,
		);
		const drainedAt = Date.now();
		stopQuiet = true;
		const states = { quiet: await endpointStates("quiet"), noisy: await endpointStates("noisy") };
		const quietResult = await quietLoad;
		const lastQuietAt = Date.now();
		progress.update({ phase: `burst: waiting up to ${BURST.waitMs / 1000} s for quiet's last deliveries` });
		const arrivedAt = (event: QuietEvent) => (event.eventId === null ? undefined : sink.firstArrivalAt(event.eventId, quietPath));
		// Bounded, and no error when it runs out: what has not arrived by then is reported as missing.
		await waitUntil(() => quietEvents.every((event) => event.eventId === null || arrivedAt(event) !== undefined), BURST.waitMs, 100);
		const waitedMs = Date.now() - lastQuietAt;

		const phaseOf = (event: QuietEvent): BurstPhase =>
			event.sentAt < burstStart ? "baseline" : event.sentAt < burstEnd ? "burst" : "after";
		const phase = (name: BurstPhase) => {
			const sent = quietEvents.filter((event) => phaseOf(event) === name);
			const accepted = sent.filter((event) => event.eventId !== null);
			return {
				sent: sent.length,
				postErrors: sent.length - accepted.length,
				ingestP99Ms: percentile(
					sent.map((event) => event.postMs),
					99,
				),
				...latencySummary(accepted.map((event) => (arrivedAt(event) ?? Number.POSITIVE_INFINITY) - event.sentAt)),
			};
		};
		const quiet = { baseline: phase("baseline"), burst: phase("burst"), after: phase("after") };
		const lastNoisyArrival = Math.max(...noisyArrivals().map(([, at]) => at));
		const drainMs = drained ? drainedAt - burstStart : Number.POSITIVE_INFINITY;
		const result = {
			quietEventsPerSecond: BURST.quietRate,
			quietEndpoints: BURST.quietEndpoints,
			noisyEndpoints: BURST.noisyEndpoints,
			noisyConcurrency: CONCURRENCY,
			baselineSeconds: BURST.baselineSeconds,
			burstSeconds: BURST.burstSeconds,
			drainWaitMs: BURST.drainWaitMs,
			quiet: {
				...quiet,
				postErrors: quietResult.errors,
				/** How long after quiet's last POST its missing deliveries were waited for. */
				waitedMs,
			},
			noisy: {
				/** From the burst's start until its last request was answered. */
				burstMs: burstEnd - burstStart,
				eventsAccepted: noisyIngest.requests - noisyIngest.errors,
				postErrors: noisyIngest.errors,
				acceptedPerSecond: (noisyIngest.requests - noisyIngest.errors) / ((burstEnd - burstStart) / 1000),
				ingestP50Ms: percentile(noisyIngest.latencies, 50),
				ingestP99Ms: percentile(noisyIngest.latencies, 99),
				deliveries: noisyDeliveries,
				drained,
				/** From the burst's start until every noisy delivery was recorded in D1 (Infinity, null in the JSON: not within drainWaitMs). */
				drainMs,
				/** How long after its end the burst's backlog was waited for. */
				waitedAfterBurstMs: drainedAt - burstEnd,
				/** From the burst's start until the sink received the last noisy delivery. */
				lastArrivalAtSinkMs: Number.isFinite(lastNoisyArrival) ? lastNoisyArrival - burstStart : null,
				/** Noisy's deliveries ÷ drain time: the main lane's rate while it carried the backlog. */
				deliveriesPerSecond: noisyDeliveries / (drainMs / 1000),
			},
			/** Quiet's p99 during the burst ÷ its p99 before it. */
			p99Ratio: quiet.burst.p99Ms / quiet.baseline.p99Ms,
			/** The endpoints' delivery states once noisy had drained: all healthy means every delivery took the main lane. */
			endpointStatesAfter: states,
		};

		progress.update({ phase: "burst: cleaning up" });
		await deleteAccount("quiet");
		await deleteAccount("noisy");
		await waitUntilIdle("after the burst scenario");
		return { ...result, durationSeconds: Math.round((Date.now() - scenarioStarted) / 1000) };
	} finally {
		stopQuiet = true;
		sink.stopTracking();
	}
}

const started = Date.now();
const fanOuts = [];
let latency: Awaited<ReturnType<typeof latencyRun>> | undefined;
let failure: Awaited<ReturnType<typeof failureRun>> | undefined;
let isolation: Awaited<ReturnType<typeof isolationScenario>> | undefined;
let burst: Awaited<ReturnType<typeof burstScenario>> | undefined;
try {
	await call("/bench/setup", { method: "POST" });
	// Warm-up: every route once, so start-up costs stay out of the figures.
	await registerEndpoints(1);
	for (const route of ROUTES) await send(route, 1, 0);
	await waitFor(async () => (await recorded()).attempts >= 1, 10_000, "the warm-up delivery");
	for (const n of FANOUTS) {
		fanOuts.push(await fanOutRun(n));
		if (n === TARGET_N) {
			latency = await latencyRun();
			failure = await failureRun();
			failure.exact =
				failure.deliveriesWithWrongAttemptCount === 0 &&
				failure.deliveriesSeenAtSink === failure.deliveries &&
				failure.attemptsRecordedInD1 === failure.attemptsSeenAtSink &&
				failure.delivered.sink === failure.delivered.d1 &&
				failure.failed.sink === failure.failed.d1;
			isolation = await isolationScenario();
		}
	}
	// Last, so that the rows it leaves in D1 (deleted accounts are purged by the cron, which does not run here) change no other figure.
	burst = await burstScenario();
} finally {
	progress.stop();
	await cleanUp();
}
if (!latency || !failure || !isolation || !burst) throw new Error(`the fan-outs must include N = ${TARGET_N}`);

// ---------------------------------------------------------------- report

const atTarget = fanOuts.find((run) => run.n === TARGET_N);
if (!atTarget) throw new Error(`no run at N = ${TARGET_N}`);
const statementsPerEvent = fanOuts.map((run) => run.work.ingestD1Statements);
const isolationRuns = [
	["alone", isolation.alone],
	[`beside ${ISOLATION.slowReplyMs} ms`, isolation.beside2500ms],
	["beside hanging", isolation.besideHanging],
] as const;
const targets = [
	{
		target: `ingest throughput >= 0.8x the durable floor at N=${TARGET_N}`,
		measured: `${atTarget.ratios.ingestToFloor.toFixed(2)}x`,
		met: atTarget.ratios.ingestToFloor >= 0.8,
	},
	{
		target: `end-to-end deliveries/s >= 0.5x the fan-out ceiling at N=${TARGET_N}, every attempt recorded in D1`,
		measured: `${atTarget.ratios.endToEndToCeiling.toFixed(2)}x`,
		met: atTarget.ratios.endToEndToCeiling >= 0.5,
	},
	{
		target: "D1 statements per ingested event constant in N",
		measured: fanOuts.map((run) => `N=${run.n}: ${run.work.ingestD1Statements.toFixed(2)}`).join(", "),
		met: statementsPerEvent.every((value) => value === statementsPerEvent[0]),
	},
	{
		target: "ingest-to-first-attempt p99 < 2 s (unsaturated run)",
		measured: `${latency.firstAttemptP99Ms.toFixed(0)} ms`,
		met: latency.firstAttemptP99Ms < 2000,
	},
	{
		target: `failure run: retry count exact (${failure.maxAttemptsPerDelivery} attempts at most)`,
		measured: `${failure.deliveriesWithWrongAttemptCount} of ${failure.deliveries} deliveries off; ${failure.attemptsPerDelivery.toFixed(3)} attempts/delivery`,
		met: failure.exact,
	},
	{
		target: `isolation: healthy p99 < ${ISOLATION.p99TargetMs / 1000} s beside a ${ISOLATION.slowReplyMs / 1000} s / a hanging endpoint (events ≥ ${ISOLATION.measureAfterMs / 1000} s after it was added)`,
		measured: `${msOrBound(isolation.beside2500ms.measured.p99Ms, isolation.beside2500ms)} / ${msOrBound(isolation.besideHanging.measured.p99Ms, isolation.besideHanging)} ms`,
		met: [isolation.beside2500ms, isolation.besideHanging].every((run) => run.measured.p99Ms < ISOLATION.p99TargetMs),
	},
	{
		target: "isolation: no healthy delivery waits longer than 2 × DELIVERY_TIMEOUT_MS",
		measured: `max ${isolationRuns.map(([, run]) => msOrBound(run.allEventsMaxMs, run)).join(" / ")} ms (alone / ${ISOLATION.slowReplyMs / 1000} s / hanging), limit ${isolation.maxTargetMs} ms`,
		met: isolationRuns.every(([, run]) => run.events > 0 && run.allEventsMaxMs <= isolation.maxTargetMs),
	},
];

const loadAfter = uptime();
const date = new Date(started).toISOString().slice(0, 10);
const results = {
	date: new Date(started).toISOString(),
	quick,
	durationSeconds: Math.round((Date.now() - started) / 1000),
	machine: { ...machine(), loadBefore, loadAfter },
	settings: {
		...SIZES,
		concurrency: CONCURRENCY,
		fanOuts: FANOUTS,
		latencyRate: LATENCY_RATE,
		stack: { ...SETTINGS, ADMIN_TOKEN: "(random)", INGEST_TOKEN: "(random)" },
	},
	prices: PRICES,
	fanOuts,
	latency,
	failure,
	isolation,
	burst,
	targets,
};

const f0 = (value: number) => value.toFixed(0);
const f2 = (value: number) => value.toFixed(2);
/** A Markdown table with padded columns, as the formatter (Biome) writes it, so bench/README.md stays lint-clean. */
function markdownTable(header: string[], rows: string[][]): string[] {
	const widths = header.map((cell, i) => Math.max(3, cell.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
	return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

const fanOutTable = markdownTable(
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
const isolationTable = markdownTable(
	[
		"isolation run (healthy endpoint)",
		"events",
		"arrived",
		`measured (sent ≥ ${ISOLATION.measureAfterMs / 1000} s after)`,
		"p50 ms",
		"p99 ms",
		"max ms",
		"max ms, all events",
		"second endpoint's requests",
	],
	isolationRuns.map(([label, run]) => [
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
const burstPhases = [
	["before the burst (baseline)", burst.quiet.baseline],
	["during noisy's burst", burst.quiet.burst],
	["after it, until noisy drained", burst.quiet.after],
] as const;
const burstTable = markdownTable(
	["quiet's events, by when sent", "sent", "arrived", "p50 ms", "p99 ms", "max ms", "ingest p99 ms"],
	burstPhases.map(([label, phase]) => [
		label,
		`${phase.sent}${phase.postErrors > 0 ? ` (${phase.postErrors} POSTs failed)` : ""}`,
		`${phase.arrived} of ${phase.events}`,
		msOrBound(phase.p50Ms, burst.quiet),
		msOrBound(phase.p99Ms, burst.quiet),
		msOrBound(phase.maxMs, burst.quiet),
		Number.isNaN(phase.ingestP99Ms) ? "n/a" : f0(phase.ingestP99Ms),
	]),
);
const noisyStates = Object.entries(burst.endpointStatesAfter.noisy)
	.map(([state, count]) => `${count} ${state}`)
	.join(", ");
const quietStates = Object.entries(burst.endpointStatesAfter.quiet)
	.map(([state, count]) => `${count} ${state}`)
	.join(", ");
const burstLines = [
	`One account's burst (account quiet: ${burst.quietEndpoints} endpoint, ${burst.quietEventsPerSecond} events/s throughout; account noisy: ${burst.noisyEndpoints} endpoints, a closed loop of ${burst.noisyConcurrency} requests for ${burst.burstSeconds} s; same queues, same D1; latency = quiet's event sent → its first attempt at quiet's endpoint; a measurement, no target):`,
	"",
	...burstTable,
	"",
	`Noisy: ${burst.noisy.eventsAccepted} events accepted in ${(burst.noisy.burstMs / 1000).toFixed(1)} s (${f0(burst.noisy.acceptedPerSecond)}/s, ${burst.noisy.postErrors} POSTs failed), ${burst.noisy.deliveries} deliveries; ${
		burst.noisy.drained
			? `backlog drained (every delivery recorded in D1) ${f0(burst.noisy.drainMs)} ms after the burst's start: ${f0(burst.noisy.deliveriesPerSecond)} deliveries/s`
			: `backlog NOT drained: waited ${f0(burst.noisy.waitedAfterBurstMs)} ms after the burst's end (>${f0(burst.noisy.burstMs + burst.noisy.waitedAfterBurstMs)} ms after its start)`
	}`,
	`Quiet's p99 during the burst ÷ baseline p99: ${Number.isFinite(burst.p99Ratio) ? `${f2(burst.p99Ratio)}x` : Number.isNaN(burst.p99Ratio) ? "n/a" : "n/a (some had not arrived)"}; endpoints' delivery states afterwards: quiet ${quietStates}, noisy ${noisyStates}`,
];
const table = [
	`Hivepost benchmark, ${results.date}${quick ? " (quick)" : ""}, ${results.machine.nproc} cores ${results.machine.cpuModel}, ${results.durationSeconds} s`,
	"",
	...fanOutTable,
	"",
	`Latency run (N=${latency.n}, ${latency.eventsPerSecond} events/s, ${latency.deliveries} deliveries): ingest p50 ${f0(latency.ingestP50Ms)} ms, p99 ${f0(latency.ingestP99Ms)} ms; ingest-to-first-attempt p50 ${f0(latency.firstAttemptP50Ms)} ms, p99 ${f0(latency.firstAttemptP99Ms)} ms`,
	`Failure run (N=${failure.n}, ${failure.failRate * 100}% 500s, retry every ${failure.retryIntervalSeconds} s): ${failure.deliveries} deliveries, ${failure.answers500} answers were 500, ${f2(failure.attemptsPerDelivery)} attempts/delivery, sink ${failure.attemptsSeenAtSink} = D1 ${failure.attemptsRecordedInD1} attempts, delivered ${failure.delivered.d1}, failed ${failure.failed.d1}, wrong attempt counts: ${failure.deliveriesWithWrongAttemptCount}`,
	"",
	`Isolation (${isolation.eventsPerSecond} events/s for ${isolation.seconds} s per run, DELIVERY_TIMEOUT_MS=${isolation.deliveryTimeoutMs}; latency = event sent → first request with its webhook-id at the healthy endpoint; ">N": some had not arrived when the wait ended, N ms after the run's last event):`,
	"",
	...isolationTable,
	"",
	...burstLines,
	"",
	...markdownTable(
		["target", "measured", ""],
		targets.map((t) => [t.target, t.measured, t.met ? "met" : "MISSED"]),
	),
].join("\n");
console.log(`\n${table}\n`);

const svg = barChart(
	[
		{
			title: "Ingest",
			unit: "requests/s",
			series: [
				{ name: "trivial route", color: "#bbbbbb" },
				{ name: "durable floor", color: "#7a9cc6" },
				{ name: "Hivepost", color: "#e07b39" },
			],
			groups: fanOuts.map((run) => ({
				label: `N = ${run.n}`,
				values: [run.ingest.trivial.perSecond, run.ingest.floor.perSecond, run.ingest.hivepost.perSecond],
				note: `${f2(run.ratios.ingestToFloor)}x floor`,
			})),
		},
		{
			title: "End to end",
			unit: "deliveries/s",
			series: [
				{ name: "fan-out ceiling", color: "#7a9cc6" },
				{ name: "Hivepost", color: "#e07b39" },
			],
			groups: fanOuts.map((run) => ({
				label: `N = ${run.n}`,
				values: [run.deliveriesPerSecond.ceiling, run.deliveriesPerSecond.hivepost],
				note: `${f2(run.ratios.endToEndToCeiling)}x ceiling`,
			})),
		},
		{
			title: "Isolation: healthy endpoint latency",
			unit: "ms",
			logScale: true,
			series: [
				{ name: `p50 (≥ ${ISOLATION.measureAfterMs / 1000} s)`, color: "#7a9cc6" },
				{ name: `p99 (≥ ${ISOLATION.measureAfterMs / 1000} s)`, color: "#e07b39" },
				{ name: "max (all events)", color: "#777777" },
			],
			// An event that never arrived is drawn at the bound it is known to exceed (the wait); the note says how many arrived.
			groups: isolationRuns.map(([label, run]) => ({
				label,
				values: [run.measured.p50Ms, run.measured.p99Ms, run.allEventsMaxMs].map((value) =>
					Number.isFinite(value) ? value : Number.isNaN(value) ? 0 : run.waitedMs,
				),
				note: `${run.arrived}/${run.events} arrived`,
			})),
			marks: [
				{ value: isolation.p99TargetMs, label: `p99 target ${isolation.p99TargetMs / 1000} s` },
				{ value: isolation.maxTargetMs, label: `max ${isolation.maxTargetMs / 1000} s` },
			],
		},
		{
			title: "Burst: quiet account's latency",
			unit: "ms",
			logScale: true,
			series: [
				{ name: "p50", color: "#7a9cc6" },
				{ name: "p99", color: "#e07b39" },
				{ name: "max", color: "#777777" },
			],
			groups: (
				[
					["before", burst.quiet.baseline],
					["during burst", burst.quiet.burst],
					["until drained", burst.quiet.after],
				] as const
			).map(([label, phase]) => ({
				label,
				values: [phase.p50Ms, phase.p99Ms, phase.maxMs].map((value) =>
					Number.isFinite(value) ? value : Number.isNaN(value) ? 0 : burst.quiet.waitedMs,
				),
				note: `${phase.arrived}/${phase.events} arrived`,
			})),
		},
	],
	`Hivepost on wrangler dev, ${results.date.slice(0, 16)} UTC, ${results.machine.nproc} cores, concurrency ${CONCURRENCY}; ratios measured interleaved; isolation at ${isolation.eventsPerSecond} events/s, DELIVERY_TIMEOUT_MS=${isolation.deliveryTimeoutMs}; burst: quiet at ${burst.quietEventsPerSecond} events/s beside noisy's ${burst.burstSeconds} s burst`,
);

const resultsDir = `${PROJECT_ROOT}bench/results/`;
mkdirSync(resultsDir, { recursive: true });
const name = `${date}${quick ? "-quick" : ""}`;
writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(results, null, "\t")}\n`);
writeFileSync(`${resultsDir}${name}.svg`, svg);
console.log(`Wrote bench/results/${name}.json and .svg`);
if (!quick) {
	// A full run replaces the results section of bench/README.md, so the committed table is always the committed run's.
	const readme = `${PROJECT_ROOT}bench/README.md`;
	const section = [
		RESULTS_START,
		`Run of ${results.date} (${results.durationSeconds} s): ${results.machine.nproc} cores (\`nproc\`), CPU \`${results.machine.cpuModel}\`, Node ${results.machine.node}.`,
		"",
		"```",
		`$ free -h\n${results.machine.memory}`,
		`$ uptime   # before\n${loadBefore}`,
		`$ uptime   # after\n${loadAfter}`,
		"```",
		"",
		table,
		"",
		`![Throughput chart](results/${name}.svg)  \nFigures: [results/${name}.json](results/${name}.json).`,
		RESULTS_END,
	].join("\n");
	const text = readFileSync(readme, "utf8");
	const start = text.indexOf(RESULTS_START);
	const end = text.indexOf(RESULTS_END);
	if (start < 0 || end < 0) throw new Error(`bench/README.md lacks the ${RESULTS_START} … ${RESULTS_END} markers`);
	writeFileSync(readme, text.slice(0, start) + section + text.slice(end + RESULTS_END.length));
	console.log("Updated the results section of bench/README.md");
}
