/**
 * Auto-disable by the cron: every endpoint whose failing streak is older than
 * DISABLE_AFTER_SECONDS is disabled, in each database (a failed attempt does
 * the same for its own endpoint, delivery/health.ts). An endpoint that gets no
 * attempts any more (its deliveries all failed) is caught here.
 */
import { readSettings } from "../config";
import { everyDatabase } from "../db/client";
import { untouchedByMove } from "../db/moveMarkers";
import { endpoints } from "../db/schema";
import { disableFailing } from "../delivery/operationalFacts";

/** Disables what is due; returns how many endpoints it disabled (that are not the operator's own). */
export async function disableFailingEndpoints(env: Env, now = Date.now()): Promise<number> {
	const settings = readSettings(env);
	if (settings.disableAfterMs === 0) return 0;
	let disabled = 0;
	for (const db of everyDatabase(env)) {
		// An account a move holds in this database is left to the next run, in its new home.
		const [told] = await db.batch(disableFailing(db, settings, now, untouchedByMove(endpoints.accountId)));
		disabled += told.length;
	}
	return disabled;
}
