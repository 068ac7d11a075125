-- 0012's copy triggers as they should have shipped: 0.5.0 was first released with two faults in them, and databases that
-- applied that 0012 keep its triggers (a shipped migration is never applied again). Replaced here, in one migration:
-- - the key's insert named a conflict clause (OR IGNORE), which an outer INSERT OR REPLACE on `deliveries` takes the
--   place of: the endpoint got a new key, and its copies the old one. It names none now, and inserts only when the
--   endpoint has no key;
-- - a delivery with an unknown status was copied with a NULL status, which deliveries_v2 refuses (NOT NULL), so the
--   old code's write failed. Such a row is left out now, as one with ids of another form is, and counted by the check.
-- Dropped and created in the same migration, applied as one batch: no write goes uncopied between.
DROP TRIGGER IF EXISTS `deliveries_v2_insert`;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_insert` AFTER INSERT ON `deliveries` BEGIN
	INSERT INTO `endpoint_keys` (`endpoint_id`, `account_id`, `key`)
	SELECT NEW.`endpoint_id`, NEW.`account_id`, (SELECT coalesce(max(`key`), 0) + 1 FROM `endpoint_keys`)
	WHERE NOT EXISTS (SELECT 1 FROM `endpoint_keys` WHERE `endpoint_id` = NEW.`endpoint_id`);
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
		AND NEW.`event_id` GLOB 'evt_*' AND length(unhex(substr(NEW.`event_id`, 5))) = 14
		AND NEW.`status` IN ('new', 'pending', 'retrying', 'delivered', 'failed', 'cancelled');
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `deliveries_v2_update`;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_update` AFTER UPDATE ON `deliveries` BEGIN
	UPDATE `deliveries_v2` SET
		`status` = CASE NEW.`status` WHEN 'new' THEN 0 WHEN 'pending' THEN 1 WHEN 'retrying' THEN 2 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 END,
		`attempt_count` = NEW.`attempt_count`, `next_attempt_at` = NEW.`next_attempt_at`, `claim_id` = unhex(substr(NEW.`claim_id`, 5)),
		`lease_until` = NEW.`lease_until`, `updated_at` = NEW.`updated_at`, `ok_seq` = NEW.`ok_seq`, `ok_started_at` = NEW.`ok_started_at`,
		`ok_duration_ms` = NEW.`ok_duration_ms`, `ok_status_code` = NEW.`ok_status_code`, `ok_response` = NEW.`ok_response`
	WHERE `account_id` = CASE WHEN NEW.`account_id` GLOB 'acc_*' AND length(unhex(substr(NEW.`account_id`, 5))) = 14 THEN unhex(substr(NEW.`account_id`, 5)) ELSE NEW.`account_id` END
		AND `endpoint_key` = (SELECT `key` FROM `endpoint_keys` WHERE `endpoint_id` = NEW.`endpoint_id`)
		AND `id` = unhex(substr(NEW.`id`, 5))
		AND NEW.`status` IN ('new', 'pending', 'retrying', 'delivered', 'failed', 'cancelled');
END;
