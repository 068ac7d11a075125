import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Each test starts from empty tables: fan-out counts every registered endpoint.
beforeEach(async () => {
	await env.DB.batch(["attempts", "deliveries", "events", "endpoints"].map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
});
