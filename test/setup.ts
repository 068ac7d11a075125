/**
 * Runs before every workerd test file: migrations once in each of the three
 * databases (and the tests' views of deliveries: helpers/deliveriesView.ts),
 * then for each test empty tables in each before it, and after it no mocks
 * and no Durable Object state or armed alarms (alarms outlive a test in the
 * vitest integration).
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { installDeliveriesView } from "./helpers/deliveriesView";
import { clearDurableObjects, databaseBinding, TEST_DATABASES } from "./helpers/worker";

for (const name of TEST_DATABASES) {
	await applyD1Migrations(databaseBinding(name), env.TEST_MIGRATIONS);
	await installDeliveriesView(databaseBinding(name));
}

// Each test starts from empty tables (fan-out counts every registered endpoint) in every database, with only the
// default account and the operator's (the migrations create their rows in each database; the directory's are DB's).
beforeEach(async () => {
	const tables = [
		"attempts",
		"deliveries",
		"events",
		"endpoints",
		"audit_log",
		"admin_links",
		"account_sessions",
		"signed_ingest_ids",
		"operational_outbox",
		"cron_runs",
		"account_moves",
		"account_markers",
		"move_changes",
		"deliveries_v2",
		"endpoint_keys",
	];
	for (const name of TEST_DATABASES) {
		const db = databaseBinding(name);
		await db.batch([
			...tables.map((table) => db.prepare(`DELETE FROM ${table}`)),
			db.prepare("DELETE FROM accounts WHERE id NOT IN ('acc_default', 'acc_operator')"),
			db.prepare("UPDATE accounts SET name = 'default', deleted_at = NULL WHERE id = 'acc_default'"),
		]);
	}
});

afterEach(async () => {
	vi.restoreAllMocks();
	await clearDurableObjects();
});
