/**
 * `npm run dev`: the whole product on this machine. Creates .dev.vars with
 * fresh local secrets when missing, applies the migrations to the local D1,
 * starts wrangler dev, runs the sweep every minute (local Cron Triggers do not
 * fire by themselves) and prints what a person needs to start.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { applyLocalMigrations, PROJECT_ROOT, startLocalStack, sweepEveryMinute } from "./lib/localStack.ts";

const DEV_VARS = `${PROJECT_ROOT}.dev.vars`;
const port = Number(process.env.PORT ?? 8787);

function localSecret(): string {
	return randomBytes(24).toString("base64url");
}

function ensureDevVars(): Record<string, string> {
	if (!existsSync(DEV_VARS)) {
		const lines = [
			"# Local development settings, made by `npm run dev`. Never use these values in production.",
			`ADMIN_TOKEN=${localSecret()}`,
			`INGEST_TOKEN=${localSecret()}`,
			"# Local receivers listen on 127.0.0.1, which production refuses.",
			"ALLOW_PRIVATE_DESTINATIONS=true",
		];
		writeFileSync(DEV_VARS, `${lines.join("\n")}\n`, { mode: 0o600 });
		console.log("Created .dev.vars with fresh local secrets.");
	}
	const values: Record<string, string> = {};
	for (const line of readFileSync(DEV_VARS, "utf8").split("\n")) {
		const match = line.match(/^\s*([A-Z_]+)\s*=\s*"?(.*?)"?\s*$/);
		if (match) values[match[1]] = match[2];
	}
	return values;
}

const vars = ensureDevVars();
applyLocalMigrations();
const stack = await startLocalStack({ port, inheritOutput: true });
const stopSweeping = sweepEveryMinute(stack.url);

console.log(`
Hivepost is running at ${stack.url}   (local development secrets only, from .dev.vars)

  Admin page:  ${stack.url}/admin
               sign in with the admin token: ${vars.ADMIN_TOKEN}
  Ingest:      POST ${stack.url}/events
               Authorization: Bearer ${vars.INGEST_TOKEN}
  Admin API:   ${stack.url}/api/endpoints   (OpenAPI: ${stack.url}/api/openapi.json)
               Authorization: Bearer ${vars.ADMIN_TOKEN}

  Try it:
    curl -s -X POST ${stack.url}/api/endpoints -H 'authorization: Bearer ${vars.ADMIN_TOKEN}' \\
      -H 'content-type: application/json' -d '{"url": "http://127.0.0.1:9000/hook"}'
    curl -s -X POST ${stack.url}/events -H 'authorization: Bearer ${vars.INGEST_TOKEN}' \\
      -H 'content-type: application/json' --data-binary @static/samples/supportbee/ticket.created.json

Press Ctrl-C to stop.
`);

const shutdown = async () => {
	stopSweeping();
	await stack.stop();
	process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
