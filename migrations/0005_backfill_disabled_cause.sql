-- Endpoints disabled before disabled_cause and disabled_at existed (a bounded backfill: only disabled endpoints).
-- A 410 wrote its time into disabled_reason ("The destination answered 410 Gone on <ISO time>."): read it back from there.
UPDATE `endpoints`
SET `disabled_cause` = 'gone',
	`disabled_at` = CASE WHEN `disabled_reason` LIKE 'The destination answered 410 Gone on %'
		THEN CAST(round((julianday(substr(`disabled_reason`, 38, 24)) - 2440587.5) * 86400000) AS INTEGER) END
WHERE `enabled` = 0 AND `disabled_cause` IS NULL AND `disabled_reason` LIKE 'The destination answered 410 Gone%';
--> statement-breakpoint
-- Disabled by hand: the audit record holds when.
UPDATE `endpoints`
SET `disabled_cause` = 'manual',
	`disabled_at` = (
		SELECT max(`at`) FROM `audit_log`
		WHERE `audit_log`.`account_id` = `endpoints`.`account_id` AND `audit_log`.`endpoint_id` = `endpoints`.`id`
			AND `audit_log`.`action` = 'endpoint disabled'
	)
WHERE `enabled` = 0 AND `disabled_cause` IS NULL AND `disabled_reason` IS NULL;
