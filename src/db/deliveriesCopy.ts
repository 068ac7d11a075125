/**
 * Copying into deliveries_v2 the rows of `deliveries` written before migration 0012 (from then on its triggers copy
 * each write in the same statement): the cron takes the next COPY_BATCH_LIMIT rows of each database every minute, in
 * primary-key order, and remembers where it stopped (`deliveries_copy`). A row already copied by a trigger is kept as
 * it is: both are the row as it is now. `npm run deploy` waits for every database's copy to be done before it deploys
 * code that reads deliveries_v2 (scripts/lib/deployChecks.ts); `uncopiedDeliveries` compares the two tables column by
 * column, the tests' check (docs/scaling.md, "What the storage targets still need").
 */
import { and, eq, notExists, sql } from "drizzle-orm";
import { errorMessage, logError } from "../lib/log";
import { boundDatabase, type Database, databaseNames } from "./client";
import { STATUS_CODES } from "./columns";
import { accountAsStored } from "./keyedDeliveries";
import { deliveriesV2, endpointKeys } from "./keyedSchema";

/** Most rows copied per run and database: 1,440 runs a day copy 720,000. */
export const COPY_BATCH_LIMIT = 500;

const STATUSES = Object.entries(STATUS_CODES);
const STATUS_AS_CODE = `CASE d.status ${STATUSES.map(([status, code]) => `WHEN '${status}' THEN ${code}`).join(" ")} END`;
const OK_COLUMNS = ["ok_seq", "ok_started_at", "ok_duration_ms", "ok_status_code", "ok_response"];
const okColumnsOf = (alias: string) => OK_COLUMNS.map((column) => `${alias}.${column}`).join(", ");

/** The copied columns of `deliveries` (alias d), as deliveries_v2 stores them: the twin of 0012's insert trigger. */
const AS_STORED = `${accountAsStored("d.account_id")}, e.key, unhex(substr(d.id, 5)),
	CASE WHEN substr(d.event_id, 5, 12) = substr(d.id, 5, 12) THEN unhex(substr(d.event_id, 17)) ELSE unhex(substr(d.event_id, 5)) END,
	${STATUS_AS_CODE}, d.attempt_count, d.next_attempt_at, unhex(substr(d.claim_id, 5)), d.lease_until, d.updated_at, ${okColumnsOf("d")}`;

/** What deliveries_v2 can hold: ids of `dlv_` and `evt_` and 28 hex digits, and a known status (0012's triggers leave out the rest). */
const COPYABLE = `d.id GLOB 'dlv_*' AND length(unhex(substr(d.id, 5))) = 14 AND d.event_id GLOB 'evt_*' AND length(unhex(substr(d.event_id, 5))) = 14
	AND d.status IN (${STATUSES.map(([status]) => `'${status}'`).join(", ")})`;

/**
 * The rows after the key `?1, ?2` (from the start: two empty strings, before every id), and with `bounded` up to and
 * including `?3, ?4`: ranges of the primary key.
 */
const range = (bounded: boolean) => `(d.account_id, d.id) > (?1, ?2)${bounded ? " AND (d.account_id, d.id) <= (?3, ?4)" : ""}`;

/** Each endpoint of the range's rows with no key yet gets one, numbered on from the largest. */
const giveEndpointKeys = (bounded: boolean) => `INSERT OR IGNORE INTO endpoint_keys (endpoint_id, account_id, key)
	SELECT endpoint_id, account_id, (SELECT coalesce(max(key), 0) FROM endpoint_keys) + row_number() OVER (ORDER BY endpoint_id)
	FROM (SELECT DISTINCT d.endpoint_id, d.account_id FROM deliveries d
		WHERE ${range(bounded)} AND d.endpoint_id NOT IN (SELECT endpoint_id FROM endpoint_keys))`;
const copy = (bounded: boolean) => `INSERT OR IGNORE INTO deliveries_v2 (account_id, endpoint_key, id, event, status, attempt_count,
	next_attempt_at, claim_id, lease_until, updated_at, ${OK_COLUMNS.join(", ")})
	SELECT ${AS_STORED} FROM deliveries d JOIN endpoint_keys e ON e.endpoint_id = d.endpoint_id
	WHERE ${range(bounded)} AND ${COPYABLE}`;
const SAVE_PROGRESS = `INSERT INTO deliveries_copy (id, after_account_id, after_id, done_at) VALUES (1, ?1, ?2, ?3)
	ON CONFLICT (id) DO UPDATE SET after_account_id = excluded.after_account_id, after_id = excluded.after_id, done_at = excluded.done_at`;

interface Progress {
	after_account_id: string | null;
	after_id: string | null;
	done_at: number | null;
}

/** Copies the next rows of one database; how many it copied, or null once every row from before is copied. */
export async function copyStep(d1: D1Database, now = Date.now(), limit = COPY_BATCH_LIMIT): Promise<number | null> {
	const progress = await d1.prepare("SELECT after_account_id, after_id, done_at FROM deliveries_copy").first<Progress>();
	if (progress?.done_at != null) return null;
	const after = [progress?.after_account_id ?? "", progress?.after_id ?? ""];
	const last = await d1
		.prepare(`SELECT d.account_id, d.id FROM deliveries d WHERE ${range(false)} ORDER BY d.account_id, d.id LIMIT 1 OFFSET ?3`)
		.bind(...after, limit - 1)
		.first<{ account_id: string; id: string }>();
	// The last step takes what is left, however much was written meanwhile: the triggers have copied it.
	const bounded = last !== null;
	const bounds = bounded ? [...after, last.account_id, last.id] : after;
	const [, copied] = await d1.batch([
		d1.prepare(giveEndpointKeys(bounded)).bind(...bounds),
		d1.prepare(copy(bounded)).bind(...bounds),
		d1.prepare(SAVE_PROGRESS).bind(...(bounded ? [last.account_id, last.id, null] : [...after, now])),
	]);
	return copied.meta.changes;
}

/**
 * One copy step in every database: rows copied, how many databases have copied all, and how many failed (logged; the
 * next minute tries again, and the other jobs of the cron run on).
 */
export async function copyOldDeliveries(env: Env, now = Date.now()): Promise<{ copied: number; done: number; failed: number }> {
	const report = { copied: 0, done: 0, failed: 0 };
	for (const name of databaseNames(env)) {
		try {
			const copied = await copyStep(boundDatabase(env, name), now);
			if (copied === null) report.done += 1;
			else report.copied += copied;
		} catch (error) {
			report.failed += 1;
			logError("deliveries_copy_failed", { database: name, error: errorMessage(error) });
		}
	}
	return report;
}

/**
 * How many rows of `deliveries` have no identical twin in deliveries_v2, and how many twins have no row (both 0 once
 * the copy is complete). Reads both tables whole: for a deploy's check, not for the cron.
 */
export async function uncopiedDeliveries(d1: D1Database): Promise<{ missing: number; extra: number }> {
	// Built here, not beside the copy's statements: the Worker never runs the check, so its bundle leaves it out.
	const statusAsText = `CASE v.status ${STATUSES.map(([status, code]) => `WHEN ${code} THEN '${status}'`).join(" ")} END`;
	// A row of deliveries_v2 (alias v) as `deliveries` holds it; created_at as the 12 hex digits of the id's millisecond.
	const asText = `CASE typeof(v.account_id) WHEN 'blob' THEN 'acc_' || lower(hex(v.account_id)) ELSE v.account_id END, 'dlv_' || lower(hex(v.id)),
		'evt_' || lower(hex(CASE length(v.event) WHEN 8 THEN substr(v.id, 1, 6) || v.event ELSE v.event END)),
		e.endpoint_id, ${statusAsText}, v.attempt_count, v.next_attempt_at,
		CASE WHEN v.claim_id IS NOT NULL THEN 'clm_' || lower(hex(v.claim_id)) END, v.lease_until, v.updated_at, ${okColumnsOf("v")},
		lower(hex(substr(v.id, 1, 6)))`;
	const textColumns = `d.account_id, d.id, d.event_id, d.endpoint_id, d.status, d.attempt_count, d.next_attempt_at, d.claim_id, d.lease_until,
		d.updated_at, ${okColumnsOf("d")}, printf('%012x', d.created_at)`;
	const twins = `SELECT ${asText} FROM deliveries_v2 v JOIN endpoint_keys e ON e.key = v.endpoint_key`;
	const [missing, extra] = await d1.batch<{ n: number }>([
		d1.prepare(`SELECT count(*) AS n FROM (SELECT ${textColumns} FROM deliveries d EXCEPT ${twins})`),
		d1.prepare(`SELECT count(*) AS n FROM (${twins} EXCEPT SELECT ${textColumns} FROM deliveries d)`),
	]);
	return { missing: missing.results[0].n, extra: extra.results[0].n };
}

/**
 * Forgets the keys of an account's endpoints in `db` once none of its deliveries is left there (their copies' triggers
 * look the keys up): after its purge, or after a move has cleaned the old database. For a batch.
 */
export function forgetEndpointKeys(db: Database, accountId: string) {
	return db
		.delete(endpointKeys)
		.where(
			and(
				eq(endpointKeys.accountId, accountId),
				notExists(db.select({ one: sql`1` }).from(deliveriesV2).where(eq(deliveriesV2.accountId, accountId))),
			),
		)
		.returning({ endpointId: endpointKeys.endpointId });
}
