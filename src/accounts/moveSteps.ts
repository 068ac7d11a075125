/**
 * The steps of moving an account to another database, each bounded (at most STEP_ROWS rows read and written, a
 * handful of statements) so that one alarm run of the AccountMover stays far within D1's limits and the databases
 * stay free for the other accounts. A step returns the progress to store, and every step can run twice:
 *
 *   marking   the target marks the account `incoming`, the source `copying` (from then on its changes are logged)
 *   copying   every table in key order, each step after a step's worth of the change log       (state: copying)
 *   draining  no new claims of the account; the log copied until no claim is in flight and a Retry now begun
 *             before claims stopped has had time to record                                           (state: switching)
 *   frozen    every write refused (503 account_moving): the rest of the log, then the directory
 *             names the target, the target takes the account, the source marks it `moved`
 *   cleaning  the account's rows deleted from the source, table by table; then the move ends     (state: cleaning)
 */
import { and, eq, gt, isNotNull, sql } from "drizzle-orm";
import { readSettings, type Settings } from "../config";
import { accountDatabase, type Database, directoryDatabase } from "../db/client";
import { forgetEndpointKeys } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { applyChanges, cleanRange, copyRange, forgetChanges, MOVED_TABLES } from "../db/moveCopy";
import { markAccount } from "../db/moveMarkers";
import { accountMarkers, accountMoves, type MoveState } from "../db/moveSchema";
import { accounts } from "../db/schema";
import { unfinishedOf } from "../delivery/stateChanges";

/** Rows (or logged changes) one step reads and writes at most. */
export const STEP_ROWS = 200;

/** While draining has nothing to do but wait (for time, or a claim in flight), the next look comes this much later. */
const DRAIN_LOOK_MS = 1_000;

export interface MovePlan {
	accountId: string;
	/** Bindings: where the account's data is, and where it goes. */
	source: string;
	target: string;
}

export interface MoveProgress extends MovePlan {
	phase: "marking" | "copying" | "draining" | "frozen" | "cleaning";
	/** The index into MOVED_TABLES being copied or cleaned. */
	table: number;
	/** The last key copied in that table, or null from its start. */
	after: unknown[] | null;
	/** When claims stopped (draining began). Absent in progress stored before it was kept: taken then. */
	drainingSince?: number;
	/** Set by a step that found only waiting to do: the next step is not worth running before then. */
	idleUntil?: number;
}

export function firstStep(plan: MovePlan): MoveProgress {
	return { ...plan, phase: "marking", table: 0, after: null };
}

/** Runs one step of `progress` (its `idleUntil`, the wait it asked for, is not carried on); returns what comes next, or null once the move has ended. */
export async function runStep(env: Env, { idleUntil: _, ...progress }: MoveProgress, now = Date.now()): Promise<MoveProgress | null> {
	const { accountId } = progress;
	const source = accountDatabase(env, { id: accountId, database: progress.source });
	const target = accountDatabase(env, { id: accountId, database: progress.target });
	switch (progress.phase) {
		case "marking":
			await target.batch([markAccount(target, accountId, "incoming", now)]);
			await source.batch([markAccount(source, accountId, "copying", now)]);
			return { ...progress, phase: "copying" };
		case "copying":
			return copying(env, source, target, progress, now);
		case "draining": {
			const drainingSince = progress.drainingSince ?? now;
			if ((await copyChanges(env, source, target, accountId)) === STEP_ROWS) return { ...progress, drainingSince };
			const retryNowEnds = drainingSince + manualAttemptMs(readSettings(env));
			if (now < retryNowEnds) return { ...progress, drainingSince, idleUntil: Math.min(retryNowEnds, now + DRAIN_LOOK_MS) };
			if (await claimInFlight(source, accountId, now)) return { ...progress, drainingSince, idleUntil: now + DRAIN_LOOK_MS };
			await source.batch([markAccount(source, accountId, "frozen", now)]);
			return { ...progress, phase: "frozen" };
		}
		case "frozen":
			return switchOver(env, source, target, progress, now);
		case "cleaning":
			return cleaning(env, source, progress);
	}
}

async function copying(env: Env, source: Database, target: Database, progress: MoveProgress, now: number): Promise<MoveProgress> {
	const { accountId } = progress;
	// Rows changed since they were copied first (so the target never holds a stale row beside a newer one), then the
	// next range: both in every step, so that a busy account's changes cannot hold the copy back.
	await copyChanges(env, source, target, accountId);
	const { copied, last } = await copyRange(source, target, accountId, progress.table, progress.after, STEP_ROWS);
	await countCopied(env, accountId, copied);
	if (last) return { ...progress, after: last };
	if (progress.table + 1 < MOVED_TABLES.length) return { ...progress, table: progress.table + 1, after: null };
	// Every table copied once: no new claims of the account here, so that none is in flight at the switch.
	await source.batch([markAccount(source, accountId, "draining", now)]);
	await setState(env, accountId, "switching");
	return { ...progress, phase: "draining", table: 0, after: null, drainingSince: now };
}

/** Frozen: nothing of the account is written in the source any more, so what its log holds is the last of it. */
async function switchOver(env: Env, source: Database, target: Database, progress: MoveProgress, now: number): Promise<MoveProgress> {
	const { accountId } = progress;
	if ((await copyChanges(env, source, target, accountId)) === STEP_ROWS) return progress;
	const directory = directoryDatabase(env);
	await directory.batch([
		directory.update(accounts).set({ database: progress.target }).where(eq(accounts.id, accountId)),
		directory.update(accountMoves).set({ state: "cleaning" }).where(eq(accountMoves.accountId, accountId)),
	]);
	await target.delete(accountMarkers).where(eq(accountMarkers.accountId, accountId));
	await source.batch([markAccount(source, accountId, "moved", now), forgetChanges(source, accountId)]);
	return { ...progress, phase: "cleaning", table: 0, after: null };
}

async function cleaning(env: Env, source: Database, progress: MoveProgress): Promise<MoveProgress | null> {
	if ((await cleanRange(source, progress.accountId, progress.table, STEP_ROWS)) === STEP_ROWS) return progress;
	if (progress.table + 1 < MOVED_TABLES.length) return { ...progress, table: progress.table + 1 };
	// Only the marker is left in the source (and its endpoints' keys, which go now): writes that still come there with a
	// stale placement meet it.
	await forgetEndpointKeys(source, progress.accountId);
	const directory = directoryDatabase(env);
	await directory.delete(accountMoves).where(eq(accountMoves.accountId, progress.accountId));
	return null;
}

/** One step's worth of the change log, copied; returns how many changes it took. */
async function copyChanges(env: Env, source: Database, target: Database, accountId: string): Promise<number> {
	const changes = await applyChanges(source, target, accountId, STEP_ROWS);
	await countCopied(env, accountId, changes);
	return changes;
}

/**
 * An attempt of the account holds a claim whose lease has not passed: it may still record its result here. Only an
 * unfinished delivery holds a claim, so they are read through the unfinished deliveries' indexes by the account's
 * endpoints, not through its whole history (this runs every step while claims drain).
 */
async function claimInFlight(source: Database, accountId: string, now: number): Promise<boolean> {
	const row = await source
		.select({ one: sql`1` })
		.from(deliveriesV2)
		.where(and(unfinishedOf(accountId, now), isNotNull(deliveriesV2.claimId), gt(deliveriesV2.leaseUntil, now)))
		.limit(1)
		.get();
	return row !== undefined;
}

/**
 * How long a Retry now may still be under way once claims have stopped: it takes no claim for the switch to wait for,
 * and from then on none starts (503 account_moving), but one that passed that check just before may still wait for
 * its answer (at most the send's timeout), with as long again for D1 and the pacer around it. Frozen earlier, its
 * record would be refused and the request it made would go unrecorded.
 */
function manualAttemptMs(settings: Settings): number {
	return 2 * settings.deliveryTimeoutMs;
}

async function countCopied(env: Env, accountId: string, rows: number): Promise<void> {
	if (!rows) return;
	await directoryDatabase(env)
		.update(accountMoves)
		.set({ copiedRows: sql`${accountMoves.copiedRows} + ${rows}` })
		.where(eq(accountMoves.accountId, accountId));
}

async function setState(env: Env, accountId: string, state: MoveState): Promise<void> {
	await directoryDatabase(env).update(accountMoves).set({ state }).where(eq(accountMoves.accountId, accountId));
}
