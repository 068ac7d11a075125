ALTER TABLE `deliveries` ADD `ok_seq` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `ok_started_at` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `ok_duration_ms` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `ok_status_code` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `ok_response` text;--> statement-breakpoint
ALTER TABLE `events` ADD `body_deflated` blob;