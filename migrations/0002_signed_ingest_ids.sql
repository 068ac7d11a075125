CREATE TABLE `signed_ingest_ids` (
	`webhook_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
