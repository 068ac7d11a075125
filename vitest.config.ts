import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { Reporter } from "vitest/node";

/** Every setting the Worker reads, set here so no test depends on a developer's .dev.vars. */
const TEST_SETTINGS = {
	ADMIN_TOKEN: "test-admin-token",
	INGEST_TOKEN: "test-ingest-token",
	RETRY_INTERVAL_SECONDS: "3600",
	MAX_RETRIES: "3",
	DELIVERY_TIMEOUT_MS: "500",
	STRANDED_AFTER_SECONDS: "120",
	RETENTION_DAYS: "30",
	HTTPS_ONLY: "false",
	ALLOW_PRIVATE_DESTINATIONS: "false",
	PUBLIC_ORIGINS: "https://hooks.hivepost.example",
	INGEST_SIGNING_SECRET: "",
	ACCESS_TEAM_DOMAIN: "",
	ACCESS_AUD: "",
	MAX_ENDPOINTS_PER_ACCOUNT: "100",
	ACCOUNT_SESSION_HOURS: "12",
	FAIR_RATE: "100",
	MANUAL_ACTIONS_PER_MINUTE: "30",
	ALERT_AFTER_FAILURES: "5",
	DISABLE_AFTER_SECONDS: "432000",
};

/** One plain closing line, "tests: N passed, N failed", that CI logs can be read by. */
const closingLine: Reporter = {
	onTestRunEnd(testModules) {
		const count = (state: "passed" | "failed" | "skipped") =>
			testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
		const skipped = count("skipped");
		console.log(`tests: ${count("passed")} passed, ${count("failed")} failed${skipped ? `, ${skipped} skipped` : ""}`);
	},
};

export default defineConfig(async ({ mode }) => {
	const migrations = await readD1Migrations("./migrations");
	/** A project of tests inside workerd, against the test settings and a local D1 with the migrations applied. */
	const workers = (name: string, include: string[], exclude: string[] = []) => ({
		plugins: [
			cloudflareTest({
				wrangler: { configPath: "./wrangler.toml" },
				miniflare: {
					bindings: { ...TEST_SETTINGS, TEST_MIGRATIONS: migrations },
					d1Databases: {
						// Two more databases for account data beside wrangler.toml's DB: accounts spread over all three.
						DB_1: "hivepost-1",
						DB_2: "hivepost-2",
						// Databases of their own for the migration tests, which start from the shipped schema or from nothing.
						MIGRATION_TEST_DB: "migration-test",
						UPGRADE_TEST_DB: "upgrade-test",
						UPGRADE_TEST_DB_1: "upgrade-test-1",
						// The previous release's statements on its own schema, beside the new one (previousRelease.test.ts).
						UPGRADE_BASELINE_DB: "upgrade-baseline",
						UPGRADE_BASELINE_DB_1: "upgrade-baseline-1",
						BACKFILL_TEST_DB: "backfill-test",
						// A database at 0.5.0's schema as first shipped, migrated on (migrations.test.ts).
						SHIPPED_TRIGGERS_TEST_DB: "shipped-triggers-test",
						// A database at 0.7.0's schema, before migration 0017, for the deploy's copy check (deployChecks.test.ts).
						DEPLOY_CHECK_TEST_DB: "deploy-check-test",
					},
				},
			}),
		],
		test: { name, include, exclude, setupFiles: ["./test/setup.ts"] },
	});
	// `npm run record:statements` (vitest --mode record): only the recorder of the release's statements (migrations/README.md).
	if (mode === "record") return { test: { projects: [workers("record", ["test/upgrade/*.record.ts"])] } };
	return {
		test: {
			reporters: ["default", closingLine],
			projects: [
				// Unit and integration tests inside workerd.
				workers("workers", ["test/**/*.test.ts"], ["test/e2e/**", "test/build/**"]),
				// What the build makes, checked in Node (it runs wrangler).
				{ test: { name: "build", include: ["test/build/**/*.test.ts"], environment: "node", hookTimeout: 120_000 } },
				{
					// End-to-end tests: Node drives the real local stack (wrangler dev) and receivers on 127.0.0.1.
					test: {
						name: "e2e",
						include: ["test/e2e/**/*.test.ts"],
						environment: "node",
						// One local stack at a time: timing assertions stay honest on a 2-core machine.
						fileParallelism: false,
						testTimeout: 60_000,
						hookTimeout: 120_000,
					},
				},
			],
		},
	};
});
