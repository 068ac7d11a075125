/**
 * Runs before every workerd test file: migrations once, then for each test
 * empty tables before it, and after it no mocks and no Durable Object state or
 * armed alarms (alarms outlive a test in the vitest integration).
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { clearDurableObjects } from "./helpers/worker";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Each test starts from empty tables (fan-out counts every registered endpoint), with only the default account.
beforeEach(async () => {
	const tables = ["attempts", "deliveries", "events", "endpoints", "audit_log", "admin_links", "account_sessions", "signed_ingest_ids"];
	await env.DB.batch([
		...tables.map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
		env.DB.prepare("DELETE FROM accounts WHERE id != 'acc_default'"),
		env.DB.prepare("UPDATE accounts SET name = 'default', deleted_at = NULL WHERE id = 'acc_default'"),
	]);
});

afterEach(async () => {
	vi.restoreAllMocks();
	await clearDurableObjects();
});
