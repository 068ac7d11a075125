-- Every attempt of a delivery, as one list: the attempts rows, and the clean success kept on its delivery's row
-- (deliveries.ok_…, since 0008). Read by the delivery log (src/db/schema.ts: deliveryAttempts), and by hand.
CREATE VIEW `delivery_attempts` AS
SELECT `account_id`, `delivery_id`, `seq`, `attempt_number`, `manual`, `started_at`, `duration_ms`, `status_code`, `error`, `response_body`, `succeeded`
FROM `attempts`
UNION ALL
SELECT `account_id`, `id`, `ok_seq`, `attempt_count`, 0, `ok_started_at`, `ok_duration_ms`, `ok_status_code`, NULL, `ok_response`, 1
FROM `deliveries` WHERE `ok_seq` IS NOT NULL;
