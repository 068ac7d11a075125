/// <reference types="vite/client" />
declare namespace Cloudflare {
	interface Env {
		TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
		/** Databases for account data beside DB (vitest.config.ts). */
		DB_1: D1Database;
		DB_2: D1Database;
		MIGRATION_TEST_DB: D1Database;
		UPGRADE_TEST_DB: D1Database;
		UPGRADE_TEST_DB_1: D1Database;
		UPGRADE_BASELINE_DB: D1Database;
		UPGRADE_BASELINE_DB_1: D1Database;
		SHIPPED_TRIGGERS_TEST_DB: D1Database;
		BACKFILL_TEST_DB: D1Database;
		DEPLOY_CHECK_TEST_DB: D1Database;
	}
}
