/**
 * Moving an account (bench/README.md, "Moving an account"; docs/scaling.md): on a stack binding DB and DB_1, an
 * account on DB receives MOVE.events events (one endpoint on the sink each) and delivers them; then it is moved to
 * DB_1 while it keeps sending MOVE.rate events a second. Measured: how long the move takes (and each of its states,
 * as GET /api/accounts/{uid} shows them), every ingest status seen during it (202, or 503 account_moving around the
 * switch, sent again after its Retry-After as a helpdesk would), how long ingest was refused, and whether every
 * accepted event was delivered, once, from the new database.
 */
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { createBenchAccount } from "../lib/benchAccounts.ts";
import type { BenchStack } from "../lib/benchStack.ts";
import { closedLoop, fixedRateWhile } from "../lib/load.ts";
import { CONCURRENCY, MOVE } from "../settings.ts";
import { samples } from "./throughput.ts";

const UID = "moving";

/** What a helpdesk does: a 503 is sent again after its Retry-After. Returns the statuses seen. */
async function sendAsHelpdesk(stack: BenchStack, index: number): Promise<{ statuses: number[]; refusedAt: number[] }> {
	const statuses: number[] = [];
	const refusedAt: number[] = [];
	for (;;) {
		const { status } = await stack.hivepost.ingest(samples[index % samples.length], { account: UID, expect: "any" });
		statuses.push(status);
		if (status !== 503) return { statuses, refusedAt };
		refusedAt.push(Date.now());
		await new Promise((resolve) => setTimeout(resolve, 5000));
	}
}

export async function moveAccountScenario(stack: BenchStack) {
	const account = await createBenchAccount(stack, UID, 1);
	const { database } = await stack.hivepost.accounts.get(UID).then((reply) => reply.body);
	stack.phase(`move: ${MOVE.events} events into ${database}`);
	const seeded = await closedLoop(
		MOVE.events,
		CONCURRENCY,
		async (i) => void (await stack.hivepost.ingest(samples[i % samples.length], { account: UID })),
		stack.tick,
	);
	if (seeded.errors) throw new Error(`${seeded.errors} events of the account to move were refused`);
	await stack.waitUntilIdle("before the move");

	const target = database === "DB" ? "DB_1" : "DB";
	stack.phase(`move: ${database} → ${target}`);
	const statuses: Record<string, number> = {};
	const refusedAt: number[] = [];
	let moving = true;
	const during = fixedRateWhile(
		() => moving,
		MOVE.rate,
		async (i) => {
			const sent = await sendAsHelpdesk(stack, MOVE.events + i);
			for (const status of sent.statuses) statuses[status] = (statuses[status] ?? 0) + 1;
			refusedAt.push(...sent.refusedAt);
		},
		stack.tick,
	);
	const started = Date.now();
	await stack.hivepost.accounts.move(UID, target);
	const stateSince: Record<string, number> = {};
	let copiedRows = 0;
	for (;;) {
		const { body } = await stack.hivepost.accounts.get(UID);
		if (!body.move) {
			if (body.database !== target) throw new Error(`the move ended with the account on ${body.database}`);
			break;
		}
		stateSince[body.move.state] ??= Date.now();
		copiedRows = body.move.copied_rows;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	const ended = Date.now();
	moving = false;
	const load = await during;
	const accepted = MOVE.events + (statuses[202] ?? 0);
	await waitFor(
		async () => (await stack.bench.attempts(UID)).filter((row) => row.status === "delivered").length === accepted,
		120_000,
		"every accepted event of the moved account delivered",
		500,
	);
	const rows = await stack.bench.attempts(UID);
	const phase = (state: string, next: number) => (stateSince[state] === undefined ? null : next - stateSince[state]);
	return {
		events: MOVE.events,
		endpoints: account.paths.length,
		from: database,
		to: target,
		moveMs: ended - started,
		/** How long each state was seen (ms; null when a poll every 50 ms missed it). */
		stateMs: {
			copying: phase("copying", stateSince.switching ?? stateSince.cleaning ?? ended),
			switching: phase("switching", stateSince.cleaning ?? ended),
			cleaning: phase("cleaning", ended),
		},
		copiedRows,
		during: {
			rate: MOVE.rate,
			events: load.requests,
			statuses,
			/** From the first 503 to the last one (0 with one, null with none). */
			refusedMs: refusedAt.length ? Math.max(...refusedAt) - Math.min(...refusedAt) : null,
		},
		accepted,
		delivered: rows.filter((row) => row.status === "delivered").length,
		/** Deliveries with more than one automatic attempt: none, as the sink answers 200. */
		repeated: rows.filter((row) => row.attemptsStartedAt.length > 1).length,
	};
}

export type MoveAccountResult = Awaited<ReturnType<typeof moveAccountScenario>>;
