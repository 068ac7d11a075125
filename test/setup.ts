/**
 * Runs before every workerd test file: migrations once, then for each test
 * empty tables before it, and after it no mocks and no armed retry alarms
 * (alarms outlive a test in the vitest integration).
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { clearRetryAlarms } from "./helpers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Each test starts from empty tables: fan-out counts every registered endpoint.
beforeEach(async () => {
	await env.DB.batch(["attempts", "deliveries", "events", "endpoints"].map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
});

afterEach(async () => {
	vi.restoreAllMocks();
	await clearRetryAlarms();
});
