-- 0011's move guards for deliveries_v2, where 0.6.0 writes deliveries: while its account is frozen for a move's switch
-- an insert or update is refused with account_moving, once it has moved with account_moved; while it is copied, each
-- write and delete is logged in move_changes (as the endpoint's id and the delivery's, which mean the same in every
-- database: endpoint keys do not), to be copied again. The account is matched as its text id, which the markers hold.
-- Only add: the previous release's writes to `deliveries` reach this table through 0014's copies, and meet these too.
CREATE TRIGGER `deliveries_v2_move_insert` BEFORE INSERT ON `deliveries_v2` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers`
	WHERE `account_id` = CASE typeof(NEW.`account_id`) WHEN 'blob' THEN 'acc_' || lower(hex(NEW.`account_id`)) ELSE NEW.`account_id` END;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`)
	SELECT `m`.`account_id`, 'deliveries_v2', json_array((SELECT `endpoint_id` FROM `endpoint_keys` WHERE `key` = NEW.`endpoint_key`), 'dlv_' || lower(hex(NEW.`id`)))
	FROM `account_markers` `m`
	WHERE `m`.`account_id` = CASE typeof(NEW.`account_id`) WHEN 'blob' THEN 'acc_' || lower(hex(NEW.`account_id`)) ELSE NEW.`account_id` END
		AND `m`.`state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_move_update` BEFORE UPDATE ON `deliveries_v2` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers`
	WHERE `account_id` = CASE typeof(NEW.`account_id`) WHEN 'blob' THEN 'acc_' || lower(hex(NEW.`account_id`)) ELSE NEW.`account_id` END;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`)
	SELECT `m`.`account_id`, 'deliveries_v2', json_array((SELECT `endpoint_id` FROM `endpoint_keys` WHERE `key` = NEW.`endpoint_key`), 'dlv_' || lower(hex(NEW.`id`)))
	FROM `account_markers` `m`
	WHERE `m`.`account_id` = CASE typeof(NEW.`account_id`) WHEN 'blob' THEN 'acc_' || lower(hex(NEW.`account_id`)) ELSE NEW.`account_id` END
		AND `m`.`state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_v2_move_delete` AFTER DELETE ON `deliveries_v2` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`)
	SELECT `m`.`account_id`, 'deliveries_v2', json_array((SELECT `endpoint_id` FROM `endpoint_keys` WHERE `key` = OLD.`endpoint_key`), 'dlv_' || lower(hex(OLD.`id`)))
	FROM `account_markers` `m`
	WHERE `m`.`account_id` = CASE typeof(OLD.`account_id`) WHEN 'blob' THEN 'acc_' || lower(hex(OLD.`account_id`)) ELSE OLD.`account_id` END
		AND `m`.`state` IN ('copying', 'draining');
END;
