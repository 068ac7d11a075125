/**
 * Operational messages, from the outbox to the operator: the facts recorded
 * in an account database's `operational_outbox` (delivery/operationalFacts.ts)
 * become events of the operator's account in DB, fanned out to the
 * operational endpoints that take their type and queued, then delivered by the
 * same pipeline as ticket events (signed with each endpoint's secret, lanes,
 * retries, the log). DB is another database than the account's, so this is
 * another transaction, after the fact's own has committed: run right after a
 * queue batch that recorded facts, and by the cron for whatever a Worker that
 * stopped left behind. At least once, never twice: each row's key is its
 * event's Idempotency-Key, so a row stored again (its delete lost) is found,
 * not stored anew.
 */
import { readSettings, type Settings } from "../config";
import { type Database, directoryDatabase, inList, reachableDatabase } from "../db/client";
import { operatorScope } from "../db/operatorAccount";
import { accounts, operationalOutbox } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import { sendRouted } from "../delivery/pacing";
import { storeEvent } from "../ingest/storeEvent";
import { errorMessage, logError } from "../lib/log";
import { iso } from "../lib/time";
import type { OperationalEventType } from "../operationalEventTypes";
import type { OperationalMessage } from "./messageResponses";

/** Rows taken from one database's outbox per run; the next run takes the rest. */
const ROWS_PER_RUN = 100;

type OutboxRow = typeof operationalOutbox.$inferSelect;

/** The message a row tells, for the account `uid`: the stored data, its times in ISO 8601, an error's kind. */
function messageOf(row: OutboxRow, uid: string): OperationalMessage {
	const { last_status_code, failing_since, ...stored } = JSON.parse(row.data);
	const data = { account: uid, ...stored };
	if (failing_since !== undefined) data.failing_since = iso(failing_since);
	if (row.type === "endpoint.failing") data.last_error_kind = errorKind(last_status_code, stored.last_error);
	return { type: row.type, timestamp: iso(row.at), data } as OperationalMessage;
}

/**
 * Stores the outbox rows of each of `databases` (bindings) as messages, then
 * removes them. A database out of reach, or a failure, leaves its rows for
 * the next run.
 */
export async function storeOperationalMessages(env: Env, databases: readonly string[]): Promise<void> {
	const settings = readSettings(env);
	for (const name of databases) {
		const db = reachableDatabase(env, name, { job: "operational_messages" });
		if (!db) continue;
		try {
			await storeFrom(env, settings, db);
		} catch (error) {
			logError("operational_messages_failed", { database: name, error: errorMessage(error), recovery: "cron" });
		}
	}
}

async function storeFrom(env: Env, settings: Settings, db: Database): Promise<void> {
	const rows = await db.select().from(operationalOutbox).orderBy(operationalOutbox.at).limit(ROWS_PER_RUN);
	if (!rows.length) return;
	const uids = await uidsOf(env, rows);
	const operator = operatorScope(env);
	for (const row of rows) {
		const message = messageOf(row, uids.get(row.accountId) ?? row.accountId);
		const stored = await storeEvent(operator, settings, {
			body: JSON.stringify(message),
			actionType: row.type as OperationalEventType,
			ticketId: null,
			idempotencyKey: row.key,
		});
		if (stored.kind === "created") await sendRouted(env, stored.deliveries);
	}
	await db.delete(operationalOutbox).where(
		inList(
			operationalOutbox.key,
			rows.map((row) => row.key),
		),
	);
}

/** The uid of each account the rows name, from the directory. */
async function uidsOf(env: Env, rows: readonly OutboxRow[]): Promise<Map<string, string>> {
	const ids = [...new Set(rows.map((row) => row.accountId))];
	const found = await directoryDatabase(env).select({ id: accounts.id, uid: accounts.uid }).from(accounts).where(inList(accounts.id, ids));
	return new Map(found.map((account) => [account.id, account.uid]));
}
