/**
 * `npm run dev`: the whole product on this machine. Creates .dev.vars with
 * fresh local secrets when missing (or adds the tokens it lacks), applies
 * the migrations to the local D1 (to each, with `-- --databases <n>`: DB
 * plus DB_1 … DB_{n-1}, as a deployment with several), starts wrangler dev,
 * runs the sweep every minute (local Cron Triggers do not fire by
 * themselves) and prints what a person needs to start.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { completeDevVars, parseDevVars } from "./lib/devVars.ts";
import { applyLocalMigrations, configWithDatabases, PROJECT_ROOT, startLocalStack, sweepEveryMinute } from "./lib/localStack.ts";

const DEV_VARS = `${PROJECT_ROOT}.dev.vars`;
const port = Number(process.env.PORT ?? 8787);

/** How many databases to bind (`--databases <n>`, 1 by default: wrangler.toml's DB alone). */
function databaseCount(): number {
	const { values } = parseArgs({ options: { databases: { type: "string", default: "1" } } });
	const count = Number(values.databases);
	if (!Number.isInteger(count) || count < 1 || count > 100) {
		console.error(`--databases takes a whole number from 1 to 100 (DB, then DB_1, DB_2, …), not ${JSON.stringify(values.databases)}.`);
		process.exit(1);
	}
	return count;
}

function localSecret(): string {
	return randomBytes(24).toString("base64url");
}

/** Creates .dev.vars, or adds the tokens it lacks, and returns its settings. */
function ensureDevVars(): Record<string, string> {
	const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : null;
	const { text, added } = completeDevVars(existing, localSecret);
	if (added.length) {
		writeFileSync(DEV_VARS, text, { mode: 0o600 });
		console.log(
			existing === null
				? "Created .dev.vars with fresh local secrets."
				: `Added ${added.join(" and ")} to .dev.vars (fresh local secrets).`,
		);
	}
	return parseDevVars(text);
}

const databases = databaseCount();
const configPath = databases > 1 ? configWithDatabases(databases) : undefined;
const vars = ensureDevVars();
applyLocalMigrations(undefined, configPath);
const stack = await startLocalStack({ port, inheritOutput: true, configPath });
const stopSweeping = sweepEveryMinute(stack.url);
const bindings = ["DB", ...Array.from({ length: databases - 1 }, (_, i) => `DB_${i + 1}`)];

console.log(`
Hivepost is running at ${stack.url}   (local development secrets only, from .dev.vars)

  Admin page:  ${stack.url}/admin
               sign in with the admin token: ${vars.ADMIN_TOKEN}
  Ingest:      POST ${stack.url}/events
               Authorization: Bearer ${vars.INGEST_TOKEN}
  Admin API:   ${stack.url}/api/endpoints   (OpenAPI: ${stack.url}/api/openapi.json)
               Authorization: Bearer ${vars.ADMIN_TOKEN}
  Databases:   ${bindings.join(", ")}${databases > 1 ? `   (from ${configPath}; new accounts go to the one with the fewest)` : ""}

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
