-- The contract step of the move to deliveries_v2 (docs/scaling.md), listed in contract.json: no code reads or writes
-- these since 0.7.0. `npm run deploy` applies it only to a database whose rows from before 0012 were all copied into
-- deliveries_v2 (scripts/lib/deployChecks.ts). Dropping `deliveries` drops its indexes (deliveries_endpoint,
-- deliveries_unfinished) and every trigger on it: 0011's move guards and the copy triggers of 0012, 0014 and 0016.
DROP VIEW `delivery_attempts`;--> statement-breakpoint
DROP TABLE `deliveries`;--> statement-breakpoint
DROP TABLE `deliveries_copy`;
