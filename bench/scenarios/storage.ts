/**
 * Storage per event (bench/README.md, "Storage"): for each set of bodies, a
 * fresh account with TARGET_N endpoints on the sink sends STORAGE.events
 * events; once every delivery has been made and recorded, the growth of the
 * local D1's pages in use (lib/pagesInUse.ts), divided by the events, is
 * what an event costs of D1's 10 GB with its deliveries, attempts and indexes.
 */
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { createBenchAccount } from "../lib/benchAccounts.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { closedLoop } from "../lib/load.ts";
import { growth, pagesInUse } from "../lib/pagesInUse.ts";
import { realisticTicket } from "../lib/tickets.ts";
import { CONCURRENCY, STORAGE, TARGET_N } from "../settings.ts";
import { samples } from "./throughput.ts";

/** The two sets: the SupportBee samples in turn, and the generated tickets of about 4.5 KB. */
export const STORAGE_SETS = {
	supportbee: (index: number) => samples[index % samples.length],
	tickets: realisticTicket,
} as const;

export type StorageSet = keyof typeof STORAGE_SETS;

async function measureSet(stack: BenchStack, set: StorageSet) {
	const body = STORAGE_SETS[set];
	const account = await createBenchAccount(stack, `storage-${set}`, TARGET_N);
	await stack.waitUntilIdle(`before the ${set} storage set`);
	const before = pagesInUse(stack.stateDir);
	stack.phase(`storage: ${set}`);
	const load = await closedLoop(
		STORAGE.events,
		CONCURRENCY,
		async (i) => void (await stack.hivepost.ingest(body(i), { account: account.uid })),
		stack.tick,
	);
	if (load.errors) throw new Error(`${load.errors} events of the ${set} storage set were refused`);
	const deliveries = STORAGE.events * TARGET_N;
	await waitFor(
		async () => {
			const rows = await stack.bench.attempts(account.uid);
			return rows.length === deliveries && rows.every((row) => row.status === "delivered" && row.attemptsStartedAt.length > 0);
		},
		180_000,
		`every delivery of the ${set} storage set made and recorded`,
		500,
	);
	await stack.waitUntilIdle(`after the ${set} storage set`);
	const grew = growth(before, pagesInUse(stack.stateDir));
	const bodyBytes = Array.from({ length: STORAGE.events }, (_, i) => Buffer.byteLength(body(i))).reduce((sum, bytes) => sum + bytes, 0);
	return {
		events: STORAGE.events,
		deliveries,
		meanBodyBytes: bodyBytes / STORAGE.events,
		bytesPerEvent: grew.total / STORAGE.events,
		/** Per table and index: bytes per event. */
		byName: Object.fromEntries(Object.entries(grew.byName).map(([name, bytes]) => [name, bytes / STORAGE.events])),
	};
}

export async function storageScenario(stack: BenchStack) {
	return { n: TARGET_N, supportbee: await measureSet(stack, "supportbee"), tickets: await measureSet(stack, "tickets") };
}

export type StorageResult = Awaited<ReturnType<typeof storageScenario>>;
