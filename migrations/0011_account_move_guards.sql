-- Every write of an account's data meets its marker in the same statement (db/moveSchema.ts, accounts/accountMove.ts):
-- while the account is frozen for the switch an insert or update is refused with account_moving, once it has moved with
-- account_moved (the writer reads the directory again); while it is copied, each write and delete is logged in
-- move_changes, to be copied again. Deletes are never refused: the old copy is being emptied anyway.
CREATE TRIGGER `endpoints_move_insert` BEFORE INSERT ON `endpoints` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'endpoints', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `endpoints_move_update` BEFORE UPDATE ON `endpoints` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'endpoints', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `endpoints_move_delete` AFTER DELETE ON `endpoints` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'endpoints', json_array(OLD.`id`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `events_move_insert` BEFORE INSERT ON `events` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'events', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `events_move_update` BEFORE UPDATE ON `events` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'events', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `events_move_delete` AFTER DELETE ON `events` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'events', json_array(OLD.`id`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_move_insert` BEFORE INSERT ON `deliveries` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'deliveries', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_move_update` BEFORE UPDATE ON `deliveries` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'deliveries', json_array(NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_move_delete` AFTER DELETE ON `deliveries` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'deliveries', json_array(OLD.`id`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `attempts_move_insert` BEFORE INSERT ON `attempts` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'attempts', json_array(NEW.`delivery_id`, NEW.`seq`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `attempts_move_update` BEFORE UPDATE ON `attempts` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'attempts', json_array(NEW.`delivery_id`, NEW.`seq`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `attempts_move_delete` AFTER DELETE ON `attempts` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'attempts', json_array(OLD.`delivery_id`, OLD.`seq`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_move_insert` BEFORE INSERT ON `audit_log` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'audit_log', json_array(NEW.`endpoint_id`, NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_move_update` BEFORE UPDATE ON `audit_log` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'audit_log', json_array(NEW.`endpoint_id`, NEW.`id`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_move_delete` AFTER DELETE ON `audit_log` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'audit_log', json_array(OLD.`endpoint_id`, OLD.`id`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `operational_outbox_move_insert` BEFORE INSERT ON `operational_outbox` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'operational_outbox', json_array(NEW.`key`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `operational_outbox_move_update` BEFORE UPDATE ON `operational_outbox` BEGIN
	SELECT CASE `state` WHEN 'frozen' THEN RAISE(ABORT, 'account_moving') WHEN 'moved' THEN RAISE(ABORT, 'account_moved') END FROM `account_markers` WHERE `account_id` = NEW.`account_id`;
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT NEW.`account_id`, 'operational_outbox', json_array(NEW.`key`) FROM `account_markers` WHERE `account_id` = NEW.`account_id` AND `state` IN ('copying', 'draining');
END;
--> statement-breakpoint
CREATE TRIGGER `operational_outbox_move_delete` AFTER DELETE ON `operational_outbox` BEGIN
	INSERT INTO `move_changes` (`account_id`, `table_name`, `row_key`) SELECT OLD.`account_id`, 'operational_outbox', json_array(OLD.`key`) FROM `account_markers` WHERE `account_id` = OLD.`account_id` AND `state` IN ('copying', 'draining');
END;
