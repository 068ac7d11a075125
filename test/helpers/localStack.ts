/**
 * Boots an isolated local stack for an end-to-end test: own state folder, own
 * settings, no .dev.vars, and three databases (DB, DB_1, DB_2), as the workerd
 * tests have; with the API client (scripts/lib/hivepostClient.ts) that holds
 * the stack's tokens.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HivepostClient, hivepostClient } from "../../scripts/lib/hivepostClient.ts";
import {
	applyLocalMigrations,
	configWithDatabases,
	freePort,
	type LocalStack,
	startLocalStack,
	writeSettingsFile,
} from "../../scripts/lib/localStack.ts";

export const E2E_TOKENS = { ADMIN_TOKEN: "e2e-admin-token", INGEST_TOKEN: "e2e-ingest-token" };

export interface TestStack extends LocalStack {
	/** Ingest and the operator's API of this stack, with its tokens. */
	hivepost: HivepostClient;
	stateDir: string;
	/** The wrangler config it runs (relative to the project root): wrangler.toml with DB_1 and DB_2 added. */
	configPath: string;
	settings: Record<string, string>;
	/** Starts the Worker again on the same state, as after a crash. */
	restart(): Promise<TestStack>;
	dispose(): Promise<void>;
}

export async function startTestStack(settings: Record<string, string>): Promise<TestStack> {
	const stateDir = mkdtempSync(join(tmpdir(), "hivepost-e2e-"));
	const allSettings = { ...E2E_TOKENS, ...settings };
	const envFile = writeSettingsFile(stateDir, allSettings);
	const configPath = configWithDatabases(3);
	applyLocalMigrations(stateDir, configPath);
	const port = await freePort();
	const boot = async (): Promise<TestStack> => {
		const stack = await startLocalStack({ port, persistTo: stateDir, envFile, configPath });
		return {
			...stack,
			hivepost: hivepostClient({ url: stack.url, operatorToken: allSettings.ADMIN_TOKEN, ingestToken: allSettings.INGEST_TOKEN }),
			stateDir,
			configPath,
			settings: allSettings,
			restart: boot,
			dispose: async () => {
				await stack.stop();
				rmSync(stateDir, { recursive: true, force: true });
			},
		};
	};
	return boot();
}
