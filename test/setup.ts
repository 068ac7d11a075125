/**
 * Runs before every workerd test file: migrations once in each of the three
 * databases, then for each test empty tables in each before it, and after it
 * no mocks and no Durable Object state or armed alarms (alarms outlive a test
 * in the vitest integration).
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { clearDurableObjects, databaseBinding, TEST_DATABASES } from "./helpers/worker";

for (const name of TEST_DATABASES) await applyD1Migrations(databaseBinding(name), env.TEST_MIGRATIONS);

// Each test starts from empty tables (fan-out counts every registered endpoint) in every database, with only the
// default account (the migrations create its row in each database; the directory's is DB's).
beforeEach(async () => {
	const tables = ["attempts", "deliveries", "events", "endpoints", "audit_log", "admin_links", "account_sessions", "signed_ingest_ids"];
	for (const name of TEST_DATABASES) {
		const db = databaseBinding(name);
		await db.batch([
			...tables.map((table) => db.prepare(`DELETE FROM ${table}`)),
			db.prepare("DELETE FROM accounts WHERE id != 'acc_default'"),
			db.prepare("UPDATE accounts SET name = 'default', deleted_at = NULL WHERE id = 'acc_default'"),
		]);
	}
});

afterEach(async () => {
	vi.restoreAllMocks();
	await clearDurableObjects();
});
