ALTER TABLE `endpoints` ADD `disabled_cause` text;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `consecutive_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `failing_since` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `ticket_id` text;--> statement-breakpoint
CREATE INDEX `events_ticket` ON `events` (`account_id`,`ticket_id`) WHERE "events"."ticket_id" IS NOT NULL;