/**
 * A test-only view: deliveries_v2 as text, under the name of the table releases before 0.6.0 kept deliveries in
 * (migration 0017 dropped it), with INSTEAD OF triggers that write deliveries_v2. Tests seed, age, inspect and assert
 * deliveries with plain SQL on `deliveries`, ids and statuses as the API spells them, and the attempts of one as a
 * list in `delivery_attempts` (the view migration 0009 made for the log, which 0017 dropped with the table).
 *
 * The view holds the table's columns, in its order, as the table held them: ids and status as text, created_at as
 * the millisecond the id starts with. A write is refused (RAISE) rather than changed when deliveries_v2 cannot
 * hold it as written: an id, event, account or claim that would read back otherwise, an unknown status, a
 * created_at other than the id's millisecond; an update may not change the keys, the event or created_at. Writes
 * meet the account-move guards of deliveries_v2 (migration 0015), as writes of the table met 0011's.
 *
 * test/setup.ts installs both after the migrations.
 */

import { sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { STATUS_CODES } from "../../src/db/columns";
import { storedAccount } from "../../src/db/keyedDeliveries";

/** Picks the tables of sqlite_master as the tests list them: the view `deliveries` among them. */
export const IS_TABLE = "(type = 'table' OR type = 'view' AND name = 'deliveries')";

const STATUSES = Object.entries(STATUS_CODES);
const HEX_DIGITS = "0123456789abcdef";

// How deliveries_v2 stores each column from its text (migration 0014's insert trigger spells the same) …
const stored = {
	account: (text: string) => new SQLiteSyncDialect().sqlToQuery(storedAccount(sql.raw(text))).sql,
	id: (text: string) => `unhex(substr(${text}, 5))`,
	event: (text: string, idText: string) =>
		`CASE WHEN substr(${text}, 5, 12) = substr(${idText}, 5, 12) THEN unhex(substr(${text}, 17)) ELSE unhex(substr(${text}, 5)) END`,
	status: (text: string) => `CASE ${text} ${STATUSES.map(([status, code]) => `WHEN '${status}' THEN ${code}`).join(" ")} END`,
	claim: (text: string) => `unhex(substr(${text}, 5))`,
};

// … and the text each stored column reads back as (db/keyedDeliveries.ts spells the same).
const read = {
	account: (column: string) => `CASE WHEN typeof(${column}) = 'blob' THEN 'acc_' || lower(hex(${column})) ELSE ${column} END`,
	id: (column: string) => `'dlv_' || lower(hex(${column}))`,
	event: (column: string, idColumn: string) =>
		`'evt_' || lower(hex(CASE WHEN length(${column}) = 8 THEN substr(${idColumn}, 1, 6) || ${column} ELSE ${column} END))`,
	status: (column: string) => `CASE ${column} ${STATUSES.map(([status, code]) => `WHEN ${code} THEN '${status}'`).join(" ")} END`,
	claim: (column: string) => `CASE WHEN ${column} IS NOT NULL THEN 'clm_' || lower(hex(${column})) END`,
	/** The millisecond a stored id starts with (its first 6 bytes), as a number: its 12 hex digits, each by its place. */
	createdAt: (idColumn: string) =>
		Array.from(
			{ length: 12 },
			(_, i) => `(instr('${HEX_DIGITS}', substr(lower(hex(substr(${idColumn}, 1, 6))), ${i + 1}, 1)) - 1) * ${16 ** (11 - i)}`,
		).join(" + "),
};

const VIEW = `CREATE VIEW deliveries AS SELECT
	${read.account("v.account_id")} AS account_id,
	${read.id("v.id")} AS id,
	${read.event("v.event", "v.id")} AS event_id,
	k.endpoint_id AS endpoint_id,
	${read.status("v.status")} AS status,
	v.attempt_count AS attempt_count,
	v.next_attempt_at AS next_attempt_at,
	${read.claim("v.claim_id")} AS claim_id,
	v.lease_until AS lease_until,
	${read.createdAt("v.id")} AS created_at,
	v.updated_at AS updated_at,
	v.ok_seq AS ok_seq,
	v.ok_started_at AS ok_started_at,
	v.ok_duration_ms AS ok_duration_ms,
	v.ok_status_code AS ok_status_code,
	v.ok_response AS ok_response
FROM deliveries_v2 v JOIN endpoint_keys k ON k.key = v.endpoint_key`;

const refuse = (what: string) => `RAISE(ABORT, 'deliveries is a test view over deliveries_v2 (test/helpers/deliveriesView.ts): ${what}')`;

/** The status as written: the table's default when none is given. */
const NEW_STATUS = "coalesce(NEW.status, 'pending')";

/** Refuses a status or claim that deliveries_v2 would not read back as written. */
const progressChecks = `WHEN ${read.status(stored.status(NEW_STATUS))} IS NOT ${NEW_STATUS} THEN ${refuse("status not one deliveries_v2 stores")}
		WHEN ${read.claim(stored.claim("NEW.claim_id"))} IS NOT NEW.claim_id THEN ${refuse("claim_id not clm_ and lowercase hex digits")}`;

/** The stored row's key, from the text of `row`. */
const storedKey = (row: "NEW" | "OLD") => `account_id = ${stored.account(`${row}.account_id`)}
		AND endpoint_key = (SELECT key FROM endpoint_keys WHERE endpoint_id = ${row}.endpoint_id)
		AND id = ${stored.id(`${row}.id`)}`;

const INSERT_TRIGGER = `CREATE TRIGGER deliveries_view_insert INSTEAD OF INSERT ON deliveries BEGIN
	SELECT CASE
		WHEN ${read.account(stored.account("NEW.account_id"))} IS NOT NEW.account_id THEN ${refuse("account_id not as it reads back")}
		WHEN length(${stored.id("NEW.id")}) IS NOT 14 OR ${read.id(stored.id("NEW.id"))} IS NOT NEW.id THEN ${refuse("id not dlv_ and 28 lowercase hex digits")}
		WHEN ${read.event(stored.event("NEW.event_id", "NEW.id"), stored.id("NEW.id"))} IS NOT NEW.event_id THEN ${refuse("event_id not evt_ and lowercase hex digits")}
		WHEN ${read.createdAt(stored.id("NEW.id"))} IS NOT NEW.created_at THEN ${refuse("created_at not the millisecond its id starts with")}
		${progressChecks}
	END;
	INSERT INTO endpoint_keys (endpoint_id, account_id, key)
	SELECT NEW.endpoint_id, NEW.account_id, (SELECT coalesce(max(key), 0) + 1 FROM endpoint_keys)
	WHERE NOT EXISTS (SELECT 1 FROM endpoint_keys WHERE endpoint_id = NEW.endpoint_id);
	INSERT INTO deliveries_v2 (account_id, endpoint_key, id, event, status, attempt_count, next_attempt_at, claim_id, lease_until, updated_at,
		ok_seq, ok_started_at, ok_duration_ms, ok_status_code, ok_response)
	VALUES (${stored.account("NEW.account_id")}, (SELECT key FROM endpoint_keys WHERE endpoint_id = NEW.endpoint_id), ${stored.id("NEW.id")},
		${stored.event("NEW.event_id", "NEW.id")}, ${stored.status(NEW_STATUS)}, coalesce(NEW.attempt_count, 0), NEW.next_attempt_at,
		${stored.claim("NEW.claim_id")}, NEW.lease_until, NEW.updated_at, NEW.ok_seq, NEW.ok_started_at, NEW.ok_duration_ms, NEW.ok_status_code,
		NEW.ok_response);
END`;

const UPDATE_TRIGGER = `CREATE TRIGGER deliveries_view_update INSTEAD OF UPDATE ON deliveries BEGIN
	SELECT CASE
		WHEN NEW.account_id IS NOT OLD.account_id OR NEW.id IS NOT OLD.id OR NEW.endpoint_id IS NOT OLD.endpoint_id
			OR NEW.event_id IS NOT OLD.event_id OR NEW.created_at IS NOT OLD.created_at
			THEN ${refuse("account_id, id, endpoint_id, event_id and created_at cannot be changed")}
		${progressChecks}
	END;
	UPDATE deliveries_v2 SET status = ${stored.status(NEW_STATUS)}, attempt_count = NEW.attempt_count, next_attempt_at = NEW.next_attempt_at,
		claim_id = ${stored.claim("NEW.claim_id")}, lease_until = NEW.lease_until, updated_at = NEW.updated_at, ok_seq = NEW.ok_seq,
		ok_started_at = NEW.ok_started_at, ok_duration_ms = NEW.ok_duration_ms, ok_status_code = NEW.ok_status_code, ok_response = NEW.ok_response
	WHERE ${storedKey("OLD")};
END`;

const DELETE_TRIGGER = `CREATE TRIGGER deliveries_view_delete INSTEAD OF DELETE ON deliveries BEGIN
	DELETE FROM deliveries_v2 WHERE ${storedKey("OLD")};
END`;

/** Every attempt of a delivery, as one list: its attempts rows, and the clean success kept on its row (`ok_…`). */
const ATTEMPTS_VIEW = `CREATE VIEW delivery_attempts AS
SELECT account_id, delivery_id, seq, attempt_number, manual, started_at, duration_ms, status_code, error, response_body, succeeded
FROM attempts
UNION ALL
SELECT account_id, id, ok_seq, attempt_count, 0, ok_started_at, ok_duration_ms, ok_status_code, NULL, ok_response, 1
FROM deliveries WHERE ok_seq IS NOT NULL`;

/** Makes both views in `db` (once: they are kept between test files). */
export async function installDeliveriesView(db: D1Database): Promise<void> {
	if (await db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'deliveries'").first()) return;
	await db.batch([VIEW, INSERT_TRIGGER, UPDATE_TRIGGER, DELETE_TRIGGER, ATTEMPTS_VIEW].map((statement) => db.prepare(statement)));
}
