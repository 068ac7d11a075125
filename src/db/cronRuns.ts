/**
 * The last run of each cron job, one row per job in DB rewritten by each run
 * (one row written a minute): what the System page shows of "is Hivepost
 * keeping up?".
 */

import { inArray } from "drizzle-orm";
import { directoryDatabase } from "./client";
import { cronRuns } from "./schema";

/** The jobs of the cron this release runs: the System page shows their last runs (not those of jobs a release before ran). */
const CRON_JOBS = ["sweep", "retention"] as const;

export type CronJob = (typeof CRON_JOBS)[number];

export type CronRun = typeof cronRuns.$inferSelect;

/** Runs `job`, then records when it started, how long it took and what it returned (or its error, which it throws on). */
export async function runRecorded<Result extends object>(env: Env, job: CronJob, run: () => Promise<Result>): Promise<Result> {
	const startedAt = Date.now();
	const record = (result: object) => {
		const row = { job, startedAt, durationMs: Date.now() - startedAt, result: JSON.stringify(result) };
		return directoryDatabase(env).insert(cronRuns).values(row).onConflictDoUpdate({ target: cronRuns.job, set: row });
	};
	try {
		const result = await run();
		await record(result);
		return result;
	} catch (error) {
		await record({ error: error instanceof Error ? error.message : String(error) });
		throw error;
	}
}

export function lastCronRuns(env: Env): Promise<CronRun[]> {
	return directoryDatabase(env).select().from(cronRuns).where(inArray(cronRuns.job, CRON_JOBS)).orderBy(cronRuns.job);
}
