/**
 * AccountMover: one Durable Object per account, which drives a move of the account to another database
 * (moveSteps.ts) with its alarm: one bounded step per run, its progress kept in the object's storage, so a move
 * survives restarts, needs no cron, and resumes where it stopped. A step that fails (a database out of reach, the
 * Worker stopped midway) is run again a little later: every step can run twice.
 */
import { DurableObject } from "cloudflare:workers";
import { errorMessage, logError, logEvent } from "../lib/log";
import { firstStep, type MovePlan, type MoveProgress, runStep } from "./moveSteps";

/**
 * The pause after a step, at least as long as the step took: the move takes at most about half of either database's
 * time, which the other accounts on it share (D1 runs one query at a time). A step that could only wait says when to
 * look again (`idleUntil`), and the pause lasts until then.
 */
const MIN_PAUSE_MS = 20;

/** After a failed step, the next try. */
const RETRY_AFTER_FAILURE_MS = 5_000;

export class AccountMover extends DurableObject<Env> {
	/** Starts the move `plan` describes, unless one is under way (then nothing changes). */
	async start(plan: MovePlan): Promise<void> {
		if (await this.ctx.storage.get<MoveProgress>("progress")) return;
		await this.ctx.storage.put("progress", firstStep(plan));
		await this.ctx.storage.setAlarm(Date.now());
	}

	override async alarm(): Promise<void> {
		const progress = await this.ctx.storage.get<MoveProgress>("progress");
		if (!progress) return;
		const started = Date.now();
		let next: MoveProgress | null;
		try {
			next = await runStep(this.env, progress, started);
		} catch (error) {
			// Not thrown on: the platform's own alarm retries give up after a few; this one keeps trying, from the stored progress.
			logError("move_step_failed", { account_id: progress.accountId, phase: progress.phase, error: errorMessage(error) });
			await this.ctx.storage.setAlarm(Date.now() + RETRY_AFTER_FAILURE_MS);
			return;
		}
		if (next === null) {
			logEvent("account_moved", { account_id: progress.accountId, from: progress.source, to: progress.target });
			await this.ctx.storage.deleteAll();
			return;
		}
		await this.ctx.storage.put("progress", next);
		const paused = Date.now() + Math.max(MIN_PAUSE_MS, Date.now() - started);
		await this.ctx.storage.setAlarm(Math.max(paused, next.idleUntil ?? 0));
	}
}

/** The AccountMover of `accountId`. */
export function moverOf(env: Env, accountId: string) {
	return env.ACCOUNT_MOVER.getByName(accountId);
}
