-- While a deploy of 0.6.0 runs, 0.5.0 still writes `deliveries`, and 0.6.0 writes only deliveries_v2: a row of
-- `deliveries` may be as 0.5.0 last left it while its copy has moved on (delivered, say). 0014's update trigger would
-- copy 0.5.0's next write over it (a claim of a delivery 0.6.0 delivered, and 0.5.0 would send it again). Now a write
-- of `deliveries` whose copy is no longer what that row was is refused (delivery_superseded): 0.5.0's statement fails,
-- nothing is sent, and 0.6.0 takes the delivery up. A delete of such a row leaves its copy. A row and its copy in step,
-- as every row is while only 0.5.0 runs, are written as before. Dropped and created in one migration, applied as one
-- batch: no write goes uncopied between.
DROP TRIGGER IF EXISTS `deliveries_v2_update`;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_update` AFTER UPDATE ON `deliveries` BEGIN
	SELECT RAISE(ABORT, 'delivery_superseded') FROM `deliveries_v2`
	WHERE `account_id` = CASE WHEN OLD.`account_id` GLOB 'acc_*' AND length(unhex(substr(OLD.`account_id`, 5))) = 14 THEN unhex(substr(OLD.`account_id`, 5)) ELSE OLD.`account_id` END
		AND `endpoint_key` = (SELECT `key` FROM `endpoint_keys` WHERE `endpoint_id` = OLD.`endpoint_id`)
		AND `id` = unhex(substr(OLD.`id`, 5))
		AND NOT (`status` IS CASE OLD.`status` WHEN 'new' THEN 0 WHEN 'pending' THEN 1 WHEN 'retrying' THEN 2 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 END AND `attempt_count` IS OLD.`attempt_count` AND `next_attempt_at` IS OLD.`next_attempt_at`
		AND `claim_id` IS unhex(substr(OLD.`claim_id`, 5)) AND `lease_until` IS OLD.`lease_until` AND `updated_at` IS OLD.`updated_at`);
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
--> statement-breakpoint
DROP TRIGGER IF EXISTS `deliveries_v2_delete`;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_delete` AFTER DELETE ON `deliveries` BEGIN
	DELETE FROM `deliveries_v2`
	WHERE `account_id` = CASE WHEN OLD.`account_id` GLOB 'acc_*' AND length(unhex(substr(OLD.`account_id`, 5))) = 14 THEN unhex(substr(OLD.`account_id`, 5)) ELSE OLD.`account_id` END
		AND `endpoint_key` = (SELECT `key` FROM `endpoint_keys` WHERE `endpoint_id` = OLD.`endpoint_id`)
		AND `id` = unhex(substr(OLD.`id`, 5))
		AND `status` IS CASE OLD.`status` WHEN 'new' THEN 0 WHEN 'pending' THEN 1 WHEN 'retrying' THEN 2 WHEN 'delivered' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 END AND `attempt_count` IS OLD.`attempt_count` AND `next_attempt_at` IS OLD.`next_attempt_at`
		AND `claim_id` IS unhex(substr(OLD.`claim_id`, 5)) AND `lease_until` IS OLD.`lease_until` AND `updated_at` IS OLD.`updated_at`;
END;
