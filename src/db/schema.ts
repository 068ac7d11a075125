/**
 * The tables, as the single source of truth: `npm run db:generate` turns this
 * file into the SQL migrations under migrations/. Times are Unix milliseconds.
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const DELIVERY_STATUSES = ["pending", "retrying", "delivered", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A destination URL registered by an admin. Deleted endpoints are kept (soft delete) so history still names them. */
export const endpoints = sqliteTable(
	"endpoints",
	{
		id: text("id").primaryKey(),
		/** Canonical form (WHATWG URL serialisation), so equal URLs compare equal. */
		url: text("url").notNull(),
		/** JSON array of event types, or `["*"]` for all. */
		events: text("events").notNull().default('["*"]'),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		/** `whsec_<base64>`: the Standard Webhooks signing secret. */
		secret: text("secret").notNull(),
		/** The secret replaced by the last rotation; deliveries carry its signature too until it expires. */
		previousSecret: text("previous_secret"),
		previousSecretExpiresAt: integer("previous_secret_expires_at"),
		/** JSON object of extra request headers for the receiver's own auth (e.g. Authorization). Write-only in the API. */
		headers: text("headers").notNull().default("{}"),
		/** Why the endpoint was disabled by Hivepost itself (e.g. the destination answered 410 Gone); null otherwise. */
		disabledReason: text("disabled_reason"),
		/** The newest attempt's outcome, kept here so health is one row read, not a scan of the attempt history. */
		lastAttemptAt: integer("last_attempt_at"),
		lastStatusCode: integer("last_status_code"),
		lastAttemptSucceeded: integer("last_attempt_succeeded", { mode: "boolean" }),
		lastAttemptError: text("last_attempt_error"),
		createdAt: integer("created_at").notNull(),
		updatedAt: integer("updated_at").notNull(),
		deletedAt: integer("deleted_at"),
	},
	(table) => [uniqueIndex("endpoints_live_url").on(table.url).where(sql`${table.deletedAt} IS NULL`)],
);

/** One ticket event as the helpdesk sent it: `body` holds its exact text. */
export const events = sqliteTable(
	"events",
	{
		id: text("id").primaryKey(),
		actionType: text("action_type").notNull(),
		body: text("body").notNull(),
		receivedAt: integer("received_at").notNull(),
		deliveryCount: integer("delivery_count").notNull().default(0),
		/** Set for 24 h when the sender gave an Idempotency-Key; the unique index makes concurrent repeats safe. */
		idempotencyKey: text("idempotency_key"),
		/** SHA-256 (hex) of the body, to tell a true repeat from a key reused for another body. */
		bodyHash: text("body_hash").notNull(),
		/** A sample sent by an admin's "Send test event", not by the helpdesk. */
		isTest: integer("is_test", { mode: "boolean" }).notNull().default(false),
	},
	(table) => [
		uniqueIndex("events_idempotency_key").on(table.idempotencyKey),
		index("events_received_at").on(table.receivedAt),
		// Only the few events that still hold a key: expiring keys reads nothing else.
		index("events_idempotency_expiry").on(table.receivedAt).where(sql`${table.idempotencyKey} IS NOT NULL`),
	],
);

/** One event on its way to one endpoint. `attemptCount` is the single source of truth for automatic attempts. */
export const deliveries = sqliteTable(
	"deliveries",
	{
		id: text("id").primaryKey(),
		eventId: text("event_id")
			.notNull()
			.references(() => events.id),
		endpointId: text("endpoint_id")
			.notNull()
			.references(() => endpoints.id),
		status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
		attemptCount: integer("attempt_count").notNull().default(0),
		/** When the next automatic attempt is due; while an attempt runs, the end of its lease. */
		nextAttemptAt: integer("next_attempt_at"),
		/** Fencing token of the attempt that holds the delivery, so a stale attempt cannot overwrite a newer one. */
		claimId: text("claim_id"),
		createdAt: integer("created_at").notNull(),
		updatedAt: integer("updated_at").notNull(),
	},
	(table) => [
		index("deliveries_due").on(table.status, table.nextAttemptAt),
		index("deliveries_event").on(table.eventId),
		index("deliveries_endpoint").on(table.endpointId, table.status),
	],
);

/** Every HTTP attempt, automatic or manual, with what the destination answered. */
export const attempts = sqliteTable(
	"attempts",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		// Retention deletes deliveries; their attempts go with them.
		deliveryId: text("delivery_id")
			.notNull()
			.references(() => deliveries.id, { onDelete: "cascade" }),
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
	(table) => [index("attempts_delivery").on(table.deliveryId), index("attempts_started_at").on(table.startedAt)],
);
