import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Every setting the Worker reads, set here so no test depends on a developer's .dev.vars. */
export const TEST_SETTINGS = {
	ADMIN_TOKEN: "test-admin-token",
	INGEST_TOKEN: "test-ingest-token",
	RETRY_INTERVAL_SECONDS: "3600",
	MAX_RETRIES: "3",
	DELIVERY_TIMEOUT_MS: "500",
	STRANDED_AFTER_SECONDS: "120",
};

export default defineConfig(async () => ({
	plugins: [
		cloudflareTest({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: { ...TEST_SETTINGS, TEST_MIGRATIONS: await readD1Migrations("./migrations") },
			},
		}),
	],
	test: {
		include: ["test/**/*.test.ts"],
		exclude: ["test/e2e/**"],
		setupFiles: ["./test/setup.ts"],
	},
}));
