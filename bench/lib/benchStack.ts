/**
 * What every scenario of the benchmark works with, started once per run: the
 * local stack (wrangler dev with local D1, Queues and Durable Objects, the
 * bench build of bench/wrangler.toml, on a state folder of its own), the sink,
 * the Hivepost client, the bench-only routes (the work counters, what D1
 * recorded), the progress bar, and the clean-up that stops all of it, the
 * receivers a scenario still holds open included.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { type HivepostClient, hivepostClient } from "../../scripts/lib/hivepostClient.ts";
import { applyLocalMigrations, configWithDatabases, freePort, startLocalStack, writeSettingsFile } from "../../scripts/lib/localStack.ts";
import type { Receiver } from "../../scripts/lib/receiver.ts";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { CONFIG, QUIET_MS, SETTINGS } from "../settings.ts";
import type { WorkBucket, WorkCounts } from "../worker/counts.ts";
import { type Sink, startSink } from "./sink.ts";

export type Work = Record<WorkBucket, WorkCounts>;

/** One delivery of an account with its automatic attempts' start times, oldest first (GET /bench/attempts). */
export interface DeliveryAttempts {
	id: string;
	status: string;
	endpointId: string;
	attemptsStartedAt: number[];
}

/** What D1 holds (GET /bench/recorded). */
export interface Recorded {
	deliveries: Record<string, number>;
	attempts: number;
	/** Mean duration of the attempts started since the time asked for (ms): how long one fetch to the sink takes. */
	attemptMs: number | null;
}

export interface BenchStack {
	hivepost: HivepostClient;
	sink: Sink;
	/** The stack's state folder (its local D1 file: lib/pagesInUse.ts). */
	stateDir: string;
	/** The bench-only routes of bench/worker/index.ts. */
	bench: {
		setup(): Promise<void>;
		recorded(since?: number): Promise<Recorded>;
		attempts(uid: string): Promise<DeliveryAttempts[]>;
		work(): Promise<Work>;
		resetWork(): Promise<void>;
	};
	/** Waits until nothing is in flight: no delivery pending or retrying, and no attempt, consumer batch or retry alarm for QUIET_MS. */
	waitUntilIdle(what: string): Promise<void>;
	/** Receivers a scenario has open: closed by `cleanUp` too, so a failure or a signal leaves none behind. */
	openReceivers: Set<Receiver>;
	/** The progress bar: the phase it shows, and one planned request done. */
	phase(text: string): void;
	tick(): void;
	/** Stops the progress bar, the stack, the receivers and the sink, and removes the state folder; once. */
	cleanUp(): Promise<void>;
}

/**
 * Starts the sink and the stack, then the progress bar over `plannedRequests`. With `databases` over 1, the stack
 * binds DB_1 … as well (the move scenario's own stack; every other scenario runs on DB alone).
 */
export async function startBenchStack(plannedRequests: number, databases = 1): Promise<BenchStack> {
	const stateDir = mkdtempSync(join(tmpdir(), "hivepost-bench-"));
	const envFile = writeSettingsFile(stateDir, SETTINGS);
	const sink = await startSink();
	const configPath = databases > 1 ? configWithDatabases(databases, CONFIG) : CONFIG;
	applyLocalMigrations(stateDir, configPath);
	const stack = await startLocalStack({ port: await freePort(), persistTo: stateDir, envFile, configPath }).catch(async (error) => {
		await sink.close();
		rmSync(stateDir, { recursive: true, force: true });
		throw error;
	});
	const hivepost = hivepostClient({ url: stack.url, operatorToken: SETTINGS.ADMIN_TOKEN, ingestToken: SETTINGS.INGEST_TOKEN });
	// The bench routes take no token.
	const benchRoute = async <T>(method: string, path: string) => (await hivepost.call<T>(method, `/bench/${path}`, { token: null })).body;
	const bench = {
		setup: async () => void (await benchRoute("POST", "setup")),
		recorded: (since = 0) => benchRoute<Recorded>("GET", `recorded?since=${since}`),
		attempts: (uid: string) => benchRoute<DeliveryAttempts[]>("GET", `attempts?account=${encodeURIComponent(uid)}`),
		work: () => benchRoute<Work>("GET", "work"),
		resetWork: async () => void (await benchRoute("POST", "work/reset")),
	};

	const progress = new cliProgress.SingleBar(
		{ format: "{bar} {percentage}% | {value}/{total} requests | {phase}", hideCursor: true },
		cliProgress.Presets.shades_classic,
	);
	progress.start(plannedRequests, 0, { phase: "warming up" });

	const openReceivers = new Set<Receiver>();
	let cleanedUp = false;
	return {
		hivepost,
		sink,
		stateDir,
		bench,
		waitUntilIdle: (what) => waitUntilIdle(bench, what),
		openReceivers,
		phase: (text) => progress.update({ phase: text }),
		tick: () => progress.increment(),
		async cleanUp() {
			if (cleanedUp) return;
			cleanedUp = true;
			progress.stop();
			await stack.stop();
			await Promise.all([...openReceivers].map((receiver) => receiver.close()));
			await sink.close();
			rmSync(stateDir, { recursive: true, force: true });
		},
	};
}

async function waitUntilIdle(bench: BenchStack["bench"], what: string): Promise<void> {
	let last = "";
	let changedAt = Date.now();
	await waitFor(
		async () => {
			const [now, work] = await Promise.all([bench.recorded(), bench.work()]);
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
