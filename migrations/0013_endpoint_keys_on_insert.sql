-- Every endpoint gets its key in `endpoint_keys` when it is written to a database, not only with its first delivery
-- there (0012): the release that writes `deliveries_v2` itself finds the key by joining it. The endpoints from before
-- get theirs here, numbered on from the largest; one statement over the endpoints, a small table. The trigger's insert
-- names no conflict clause, as 0012's does not: an outer INSERT OR REPLACE would take its place.
CREATE TRIGGER `endpoint_keys_insert` AFTER INSERT ON `endpoints` BEGIN
	INSERT INTO `endpoint_keys` (`endpoint_id`, `account_id`, `key`)
	SELECT NEW.`id`, NEW.`account_id`, (SELECT coalesce(max(`key`), 0) + 1 FROM `endpoint_keys`)
	WHERE NOT EXISTS (SELECT 1 FROM `endpoint_keys` WHERE `endpoint_id` = NEW.`id`);
END;
--> statement-breakpoint
INSERT INTO `endpoint_keys` (`endpoint_id`, `account_id`, `key`)
SELECT `id`, `account_id`, (SELECT coalesce(max(`key`), 0) FROM `endpoint_keys`) + row_number() OVER (ORDER BY `id`)
FROM `endpoints` WHERE `id` NOT IN (SELECT `endpoint_id` FROM `endpoint_keys`);
