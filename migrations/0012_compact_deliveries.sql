-- Deliveries keyed compactly (db/keyedSchema.ts, docs/scaling.md): the table, the keys it is written with, and the
-- triggers that keep it a copy of `deliveries` while the code still reads and writes that one. Each write of a delivery
-- is written again here, in the same statement: an endpoint's key is given the first time one of its deliveries is
-- written; a row whose ids are not of the usual form (`dlv_`, `evt_` and 28 hex digits) is left out rather
-- than refused, and counted by the copy's check. The rows from before are copied by the cron (db/deliveriesCopy.ts).
CREATE TABLE `deliveries_copy` (
	`id` integer PRIMARY KEY NOT NULL,
	`after_account_id` text,
	`after_id` text,
	`done_at` integer
);
--> statement-breakpoint
CREATE TABLE `deliveries_v2` (
	`account_id` blob NOT NULL,
	`endpoint_key` integer NOT NULL,
	`id` blob NOT NULL,
	`event` blob NOT NULL,
	`status` integer NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`claim_id` blob,
	`lease_until` integer,
	`updated_at` integer NOT NULL,
	`ok_seq` integer,
	`ok_started_at` integer,
	`ok_duration_ms` integer,
	`ok_status_code` integer,
	`ok_response` text,
	PRIMARY KEY(`account_id`, `endpoint_key`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `deliveries_v2_unfinished` ON `deliveries_v2` (`endpoint_key`,`next_attempt_at`) WHERE "deliveries_v2"."status" IN (1, 2);--> statement-breakpoint
CREATE TABLE `endpoint_keys` (
	`endpoint_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `endpoint_keys_key` ON `endpoint_keys` (`key`);--> statement-breakpoint
CREATE INDEX `endpoint_keys_account` ON `endpoint_keys` (`account_id`,`key`);
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_insert` AFTER INSERT ON `deliveries` BEGIN
	INSERT OR IGNORE INTO `endpoint_keys` (`endpoint_id`, `account_id`, `key`) SELECT NEW.`endpoint_id`, NEW.`account_id`, coalesce(max(`key`), 0) + 1 FROM `endpoint_keys`;
	INSERT OR REPLACE INTO `deliveries_v2` (`account_id`, `endpoint_key`, `id`, `event`, `status`, `attempt_count`, `next_attempt_at`, `claim_id`, `lease_until`, `updated_at`, `ok_seq`, `ok_started_at`, `ok_duration_ms`, `ok_status_code`, `ok_response`)
	SELECT CASE WHEN NEW.`account_id` GLOB 'acc_*' AND length(unhex(substr(NEW.`account_id`, 5))) = 14 THEN unhex(substr(NEW.`account_id`, 5)) ELSE NEW.`account_id` END,
		`e`.`key`, unhex(substr(NEW.`id`, 5)),
		CASE WHEN substr(NEW.`event_id`, 5, 12) = substr(NEW.`id`, 5, 12) THEN unhex(substr(NEW.`event_id`, 17)) ELSE unhex(substr(NEW.`event_id`, 5)) END,
		CASE NEW.`status` WHEN 'new' THEN 0 WHEN 'pending' THEN 1 WHEN 'retrying' THEN 2 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 END,
		NEW.`attempt_count`, NEW.`next_attempt_at`, unhex(substr(NEW.`claim_id`, 5)), NEW.`lease_until`, NEW.`updated_at`,
		NEW.`ok_seq`, NEW.`ok_started_at`, NEW.`ok_duration_ms`, NEW.`ok_status_code`, NEW.`ok_response`
	FROM `endpoint_keys` `e`
	WHERE `e`.`endpoint_id` = NEW.`endpoint_id`
		AND NEW.`id` GLOB 'dlv_*' AND length(unhex(substr(NEW.`id`, 5))) = 14
		AND NEW.`event_id` GLOB 'evt_*' AND length(unhex(substr(NEW.`event_id`, 5))) = 14;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_update` AFTER UPDATE ON `deliveries` BEGIN
	UPDATE `deliveries_v2` SET
		`status` = CASE NEW.`status` WHEN 'new' THEN 0 WHEN 'pending' THEN 1 WHEN 'retrying' THEN 2 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 END,
		`attempt_count` = NEW.`attempt_count`, `next_attempt_at` = NEW.`next_attempt_at`, `claim_id` = unhex(substr(NEW.`claim_id`, 5)),
		`lease_until` = NEW.`lease_until`, `updated_at` = NEW.`updated_at`, `ok_seq` = NEW.`ok_seq`, `ok_started_at` = NEW.`ok_started_at`,
		`ok_duration_ms` = NEW.`ok_duration_ms`, `ok_status_code` = NEW.`ok_status_code`, `ok_response` = NEW.`ok_response`
	WHERE `account_id` = CASE WHEN NEW.`account_id` GLOB 'acc_*' AND length(unhex(substr(NEW.`account_id`, 5))) = 14 THEN unhex(substr(NEW.`account_id`, 5)) ELSE NEW.`account_id` END
		AND `endpoint_key` = (SELECT `key` FROM `endpoint_keys` WHERE `endpoint_id` = NEW.`endpoint_id`)
		AND `id` = unhex(substr(NEW.`id`, 5));
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_delete` AFTER DELETE ON `deliveries` BEGIN
	DELETE FROM `deliveries_v2`
	WHERE `account_id` = CASE WHEN OLD.`account_id` GLOB 'acc_*' AND length(unhex(substr(OLD.`account_id`, 5))) = 14 THEN unhex(substr(OLD.`account_id`, 5)) ELSE OLD.`account_id` END
		AND `endpoint_key` = (SELECT `key` FROM `endpoint_keys` WHERE `endpoint_id` = OLD.`endpoint_id`)
		AND `id` = unhex(substr(OLD.`id`, 5));
END;
