/**
 * The tables, as the single source of truth for `npm run db:generate`. Times are Unix milliseconds. Every row of
 * account data is keyed by the account's internal id first, so an account's rows sit together and no query can reach
 * another account's rows without naming it.
 *
 * Rows written are most of D1's cost (and its write rate the ceiling of a deployment), so hot tables have few writes:
 * - `deliveries_v2` (keyedSchema.ts) and `attempts` are WITHOUT ROWID tables (Drizzle cannot say so; migrations 0012
 *   and 0001 do): the primary key is the row, with no hidden second index. `events` is not: its rows hold whole bodies, which
 *   in a WITHOUT ROWID table spill past 1 KB into half-empty overflow pages (docs/scaling.md measures it);
 * - leases and claims live in columns no index covers, and the due-time index holds only unfinished deliveries but
 *   ingest's first attempts (status `new`; D1 counts an index entry written, not one removed).
 * bench/README.md accounts for every row written per delivery.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bytes } from "./columns";

export const DELIVERY_STATUSES = ["pending", "retrying", "delivered", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** As stored: also `new`, a first attempt kept out of the unfinished deliveries' index and shown as pending (delivery/stateChanges.ts). */
export const STORED_DELIVERY_STATUSES = [...DELIVERY_STATUSES, "new"] as const;
export type StoredDeliveryStatus = (typeof STORED_DELIVERY_STATUSES)[number];

/** Why an endpoint is disabled: its destination answered 410 Gone, it kept failing, or someone disabled it. */
export const DISABLED_CAUSES = ["gone", "failing", "manual"] as const;
export type DisabledCause = (typeof DISABLED_CAUSES)[number];

/** A helpdesk's account (for SupportBee, a company). `default` always exists. */
export const accounts = sqliteTable(
	"accounts",
	{
		/** Internal id, never reused: a deleted and re-created uid is a new account. */
		id: text("id").primaryKey(),
		/** The helpdesk's own identifier, compared exactly. */
		uid: text("uid").notNull(),
		name: text("name").notNull(),
		createdAt: integer("created_at").notNull(),
		/** Set by DELETE; the cron purges the account's data, then the row. */
		deletedAt: integer("deleted_at"),
		/**
		 * The binding of the D1 database that holds the account's data (`DB`, `DB_1`, …), chosen when it
		 * was created (db/placement.ts); null, for accounts created before there were several, means `DB`.
		 */
		database: text("database"),
	},
	(table) => [uniqueIndex("accounts_live_uid").on(table.uid).where(sql`${table.deletedAt} IS NULL`)],
);

/** A destination URL registered by an admin. Deleted endpoints are kept (soft delete) so history still names them. */
export const endpoints = sqliteTable(
	"endpoints",
	{
		id: text("id").primaryKey(),
		accountId: text("account_id").notNull(),
		/** Canonical form (WHATWG URL serialisation), so equal URLs compare equal. */
		url: text("url").notNull(),
		/** JSON array of event types, or `["*"]` for all. */
		events: text("events").notNull().default('["*"]'),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		/** `whsec_<base64>`: the Standard Webhooks signing secret. */
		secret: text("secret").notNull(),
		/** JSON `[{"secret", "expires_at"}]`: secrets replaced by rotations; each keeps signing until its own expiry. */
		previousSecrets: text("previous_secrets").notNull().default("[]"),
		/** JSON object of extra request headers for the receiver's own auth (e.g. Authorization). Write-only in the API. */
		headers: text("headers").notNull().default("{}"),
		/** Why the endpoint was disabled by Hivepost itself (e.g. the destination answered 410 Gone), as free text; null otherwise. */
		disabledReason: text("disabled_reason"),
		/** Why and when it was disabled (null while enabled, and for endpoints disabled before these columns existed). */
		disabledCause: text("disabled_cause", { enum: DISABLED_CAUSES }),
		disabledAt: integer("disabled_at"),
		/** The newest attempt's outcome, kept here so health is one row read, not a scan of the attempt history. */
		lastAttemptAt: integer("last_attempt_at"),
		lastStatusCode: integer("last_status_code"),
		lastAttemptSucceeded: integer("last_attempt_succeeded", { mode: "boolean" }),
		lastAttemptError: text("last_attempt_error"),
		/**
		 * The failing streak: automatic attempts failed in a row since the last
		 * success, and when the first of them started (null while working). Written
		 * with the health columns above, in the same statement.
		 */
		consecutiveFailures: integer("consecutive_failures").notNull().default(0),
		failingSince: integer("failing_since"),
		/**
		 * The `failing_since` of the streak whose `endpoint.failing` message was
		 * sent (alerts/): once per streak. Cleared by the first success after it,
		 * which sends `endpoint.recovered`; re-enabling keeps it, so that success
		 * is still told.
		 */
		alertedSince: integer("alerted_since"),
		/** While in the future, this endpoint's deliveries go through the isolation lane (delivery/isolation.ts). */
		isolatedUntil: integer("isolated_until"),
		/** Why: "slow" (answers, but slowly) or "unresponsive" (no answer within the timeout). */
		isolation: text("isolation", { enum: ["slow", "unresponsive"] }),
		createdAt: integer("created_at").notNull(),
		updatedAt: integer("updated_at").notNull(),
		deletedAt: integer("deleted_at"),
	},
	(table) => [uniqueIndex("endpoints_live_url").on(table.accountId, table.url).where(sql`${table.deletedAt} IS NULL`)],
);

/** One ticket event as the helpdesk sent it: `body_deflated` (or, for events stored before it, `body`) holds its exact text (lib/storedBody.ts). */
export const events = sqliteTable(
	"events",
	{
		accountId: text("account_id").notNull(),
		/** Sorts by time (ids.ts): the primary key also orders an account's events. */
		id: text("id").notNull(),
		actionType: text("action_type").notNull(),
		/** The text, for events stored before `body_deflated`; empty since. */
		body: text("body").notNull(),
		/** The text's UTF-8 bytes, raw-deflated: about a third of the text (bench/README.md, "Storage"). */
		bodyDeflated: bytes("body_deflated"),
		receivedAt: integer("received_at").notNull(),
		deliveryCount: integer("delivery_count").notNull().default(0),
		/** Set for 24 h when the sender gave an Idempotency-Key; the unique index makes concurrent repeats safe. */
		idempotencyKey: text("idempotency_key"),
		/** SHA-256 (hex) of the body, to tell a true repeat from a key reused for another body; empty for an event sent without a key. */
		bodyHash: text("body_hash").notNull(),
		/** A sample sent by an admin's "Send test event", not by the helpdesk. */
		isTest: integer("is_test", { mode: "boolean" }).notNull().default(false),
		/** The helpdesk's ticket (`payload.ticket.id`, kept as text), so an admin can find a ticket's events. */
		ticketId: text("ticket_id"),
	},
	(table) => [
		primaryKey({ columns: [table.accountId, table.id] }),
		// One index row per event that names a ticket (bench/README.md counts it).
		index("events_ticket").on(table.accountId, table.ticketId).where(sql`${table.ticketId} IS NOT NULL`),
		// Only the few events that still hold a key are in these two.
		uniqueIndex("events_idempotency_key").on(table.accountId, table.idempotencyKey).where(sql`${table.idempotencyKey} IS NOT NULL`),
		index("events_idempotency_expiry").on(table.receivedAt).where(sql`${table.idempotencyKey} IS NOT NULL`),
	],
);

/** Every HTTP attempt, automatic or manual, with what the destination answered; but a clean success is kept on its delivery's row (`ok_…`). */
export const attempts = sqliteTable(
	"attempts",
	{
		accountId: text("account_id").notNull(),
		deliveryId: text("delivery_id").notNull(),
		/** 1, 2, … in the order the delivery's attempts (automatic and manual) were recorded. */
		seq: integer("seq").notNull(),
		/** 1-based count of automatic attempts; null for a manual one. */
		attemptNumber: integer("attempt_number"),
		/** Made by an admin ("Retry now"); does not count against the automatic attempts. */
		manual: integer("manual", { mode: "boolean" }).notNull().default(false),
		startedAt: integer("started_at").notNull(),
		durationMs: integer("duration_ms").notNull(),
		/** HTTP status, or null when no response came (network error, timeout). */
		statusCode: integer("status_code"),
		error: text("error"),
		/** The first 8 KB of the response body. */
		responseBody: text("response_body"),
		succeeded: integer("succeeded", { mode: "boolean" }).notNull(),
	},
	(table) => [primaryKey({ columns: [table.accountId, table.deliveryId, table.seq] })],
);

/** Who changed what on an endpoint, shown on its page: the operator, or the admin label of a portal link. */
export const auditLog = sqliteTable(
	"audit_log",
	{
		accountId: text("account_id").notNull(),
		endpointId: text("endpoint_id").notNull(),
		id: text("id").notNull(),
		at: integer("at").notNull(),
		actor: text("actor").notNull(),
		action: text("action").notNull(),
		/** A short, secret-free description (e.g. which header was set, never its value). */
		detail: text("detail"),
	},
	(table) => [primaryKey({ columns: [table.accountId, table.endpointId, table.id] })],
);

/** One-time links that sign a helpdesk admin in to an account's portal. Only a hash of the token is stored. */
export const adminLinks = sqliteTable("admin_links", {
	tokenHash: text("token_hash").primaryKey(),
	accountId: text("account_id").notNull(),
	readOnly: integer("read_only", { mode: "boolean" }).notNull(),
	/** Who the helpdesk says this is, for the audit record. */
	admin: text("admin").notNull(),
	createdAt: integer("created_at").notNull(),
	expiresAt: integer("expires_at").notNull(),
	usedAt: integer("used_at"),
});

/** Portal sessions, server-side so an operator can end them. The cookie holds the token; only its hash is stored. */
export const accountSessions = sqliteTable(
	"account_sessions",
	{
		tokenHash: text("token_hash").primaryKey(),
		accountId: text("account_id").notNull(),
		readOnly: integer("read_only", { mode: "boolean" }).notNull(),
		admin: text("admin").notNull(),
		createdAt: integer("created_at").notNull(),
		expiresAt: integer("expires_at").notNull(),
	},
	(table) => [index("account_sessions_account").on(table.accountId)],
);

/**
 * Signed ingest's webhook-ids, deployment-wide (in the directory database): a signature does not cover the path, so
 * each id belongs to the first account that accepted it for as long as the same signed request could still verify
 * (ingest/signedIds.ts). Holds only minutes of ids; the cron purges the rest.
 */
export const signedIngestIds = sqliteTable("signed_ingest_ids", {
	webhookId: text("webhook_id").primaryKey(),
	/** The account that accepted it. */
	accountId: text("account_id").notNull(),
	/** When a request signed with it stops verifying (its webhook-timestamp + the 5-minute tolerance). */
	expiresAt: integer("expires_at").notNull(),
});

/**
 * Operational messages (alerts/) recorded in the same transaction as the facts they tell of, in the database of the
 * endpoint's account, until they are stored as events of the operator's account in `DB` (another database, so another
 * transaction). The key is the message's idempotency key: the same fact recorded twice is one row, and stored twice is
 * one event. Empty but for moments; the cron drains what a Worker that died left behind.
 */
export const operationalOutbox = sqliteTable("operational_outbox", {
	/** `<type>:<endpoint or delivery id>:<streak start or delivery>`: one per cause. */
	key: text("key").primaryKey(),
	accountId: text("account_id").notNull(),
	type: text("type").notNull(),
	at: integer("at").notNull(),
	/** The message's `data`, but for `account` (the uid, read from the directory when it is stored). */
	data: text("data").notNull(),
});

/** The last run of each cron job (sweep, retention), in `DB`, one row per job rewritten each run: the System page shows them. */
export const cronRuns = sqliteTable("cron_runs", {
	job: text("job").primaryKey(),
	startedAt: integer("started_at").notNull(),
	durationMs: integer("duration_ms").notNull(),
	/** JSON: what the run did (e.g. `{"requeued": 2, "failed": 0}`), or `{"error": …}` when it failed. */
	result: text("result").notNull(),
});
