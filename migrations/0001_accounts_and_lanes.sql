-- Accounts and delivery lanes. Every row of account data gets its account's
-- internal id; everything that exists moves into the built-in `default`
-- account, losing nothing. events are keyed by (account, id); deliveries and
-- attempts become WITHOUT ROWID tables keyed the same way (Drizzle cannot
-- declare that, hence this hand-written migration); endpoints gain isolation
-- state and a list of rotated-out secrets, and deliveries keep leases apart
-- from due times.
--
-- Data is copied into the new tables before any old one is dropped, and old
-- tables are dropped children first: D1 ignores PRAGMA foreign_keys=OFF, so a
-- dropped `deliveries` would cascade into `attempts`.
PRAGMA defer_foreign_keys = true;
--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`uid` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_live_uid` ON `accounts` (`uid`) WHERE "accounts"."deleted_at" IS NULL;
--> statement-breakpoint
INSERT INTO `accounts` (`id`, `uid`, `name`, `created_at`) VALUES ('acc_default', 'default', 'default', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
--> statement-breakpoint
CREATE TABLE `endpoints_new` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`url` text NOT NULL,
	`events` text DEFAULT '["*"]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`secret` text NOT NULL,
	`previous_secrets` text DEFAULT '[]' NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`disabled_reason` text,
	`last_attempt_at` integer,
	`last_status_code` integer,
	`last_attempt_succeeded` integer,
	`last_attempt_error` text,
	`isolated_until` integer,
	`isolation` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
-- In rowid order: endpoints added by one Update App keep the order they were typed in.
INSERT INTO `endpoints_new` (`id`, `account_id`, `url`, `events`, `enabled`, `secret`, `previous_secrets`, `headers`, `disabled_reason`,
	`last_attempt_at`, `last_status_code`, `last_attempt_succeeded`, `last_attempt_error`, `created_at`, `updated_at`, `deleted_at`)
SELECT `id`, 'acc_default', `url`, `events`, `enabled`, `secret`,
	CASE WHEN `previous_secret` IS NOT NULL AND `previous_secret_expires_at` IS NOT NULL
		THEN json_array(json_object('secret', `previous_secret`, 'expires_at', `previous_secret_expires_at`))
		ELSE '[]' END,
	`headers`, `disabled_reason`, `last_attempt_at`, `last_status_code`, `last_attempt_succeeded`, `last_attempt_error`,
	`created_at`, `updated_at`, `deleted_at`
FROM `endpoints` ORDER BY `rowid`;
--> statement-breakpoint
CREATE TABLE `events_new` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`action_type` text NOT NULL,
	`body` text NOT NULL,
	`received_at` integer NOT NULL,
	`delivery_count` integer DEFAULT 0 NOT NULL,
	`idempotency_key` text,
	`body_hash` text NOT NULL,
	`is_test` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
);
--> statement-breakpoint
INSERT INTO `events_new` (`account_id`, `id`, `action_type`, `body`, `received_at`, `delivery_count`, `idempotency_key`, `body_hash`, `is_test`)
SELECT 'acc_default', `id`, `action_type`, `body`, `received_at`, `delivery_count`, `idempotency_key`, `body_hash`, `is_test` FROM `events`;
--> statement-breakpoint
CREATE TABLE `deliveries_new` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`event_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`claim_id` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
-- An attempt in flight kept its lease end in next_attempt_at; it becomes the lease.
INSERT INTO `deliveries_new` (`account_id`, `id`, `event_id`, `endpoint_id`, `status`, `attempt_count`, `next_attempt_at`, `claim_id`, `lease_until`,
	`created_at`, `updated_at`)
SELECT 'acc_default', `id`, `event_id`, `endpoint_id`, `status`, `attempt_count`, `next_attempt_at`, `claim_id`,
	CASE WHEN `claim_id` IS NOT NULL THEN `next_attempt_at` END, `created_at`, `updated_at`
FROM `deliveries`;
--> statement-breakpoint
CREATE TABLE `attempts_new` (
	`account_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`seq` integer NOT NULL,
	`attempt_number` integer,
	`manual` integer DEFAULT false NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`response_body` text,
	`succeeded` integer NOT NULL,
	PRIMARY KEY(`account_id`, `delivery_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `attempts_new` (`account_id`, `delivery_id`, `seq`, `attempt_number`, `manual`, `started_at`, `duration_ms`, `status_code`, `error`,
	`response_body`, `succeeded`)
SELECT 'acc_default', `delivery_id`, ROW_NUMBER() OVER (PARTITION BY `delivery_id` ORDER BY `id`), `attempt_number`, `manual`, `started_at`,
	`duration_ms`, `status_code`, `error`, `response_body`, `succeeded`
FROM `attempts`;
--> statement-breakpoint
DROP TABLE `attempts`;
--> statement-breakpoint
DROP TABLE `deliveries`;
--> statement-breakpoint
DROP TABLE `events`;
--> statement-breakpoint
DROP TABLE `endpoints`;
--> statement-breakpoint
ALTER TABLE `endpoints_new` RENAME TO `endpoints`;
--> statement-breakpoint
ALTER TABLE `events_new` RENAME TO `events`;
--> statement-breakpoint
ALTER TABLE `deliveries_new` RENAME TO `deliveries`;
--> statement-breakpoint
ALTER TABLE `attempts_new` RENAME TO `attempts`;
--> statement-breakpoint
CREATE UNIQUE INDEX `endpoints_live_url` ON `endpoints` (`account_id`,`url`) WHERE "endpoints"."deleted_at" IS NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX `events_idempotency_key` ON `events` (`account_id`,`idempotency_key`) WHERE "events"."idempotency_key" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_idempotency_expiry` ON `events` (`received_at`) WHERE "events"."idempotency_key" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `deliveries_endpoint` ON `deliveries` (`endpoint_id`,`id`);
--> statement-breakpoint
CREATE INDEX `deliveries_unfinished` ON `deliveries` (`endpoint_id`,`next_attempt_at`) WHERE "deliveries"."status" IN ('pending', 'retrying');
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`account_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`detail` text,
	PRIMARY KEY(`account_id`, `endpoint_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `admin_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`read_only` integer NOT NULL,
	`admin` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE TABLE `account_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`read_only` integer NOT NULL,
	`admin` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `account_sessions_account` ON `account_sessions` (`account_id`);
