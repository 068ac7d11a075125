-- The operator's own account, which holds the operational endpoints and their messages (src/db/operatorAccount.ts).
-- Its uid begins with "_", which no helpdesk account's uid can; its data is always in DB (database NULL).
INSERT OR IGNORE INTO `accounts` (`id`, `uid`, `name`, `created_at`) VALUES ('acc_operator', '_operator', 'Operational webhooks', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
