/**
 * `npm run deploy`: checks, then migrates, then deploys. Nothing is changed
 * until the checks pass (scripts/lib/deployChecks.ts): every D1 database in
 * wrangler.toml (DB and each DB_n) has a real id and DB's migrations, and
 * every queue it names exists; then each database is asked to run unhex(),
 * which the migrations' triggers need. Then the migrations are applied to
 * every D1 database, and the Worker is deployed.
 * Migrations only add (migrations/README.md), so should the deploy fail after
 * them, the Worker still running keeps working.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { databaseProblems, listedQueueNames, queueProblems, readDeployConfig } from "./lib/deployChecks.ts";
import { PROJECT_ROOT } from "./lib/localStack.ts";

const WRANGLER = `${PROJECT_ROOT}node_modules/.bin/wrangler`;

/** Runs a step that changes something, with wrangler's output shown; stops the deploy if it fails. */
function change(args: string[]): void {
	const result = spawnSync(WRANGLER, args, { cwd: PROJECT_ROOT, stdio: "inherit" });
	if (result.status !== 0) {
		console.error(
			`\n\`wrangler ${args.join(" ")}\` failed (see above); npm run deploy stopped there. Migrations already applied stay, and the Worker still running keeps working with them (they only add). Fix the cause and run npm run deploy again.`,
		);
		process.exit(1);
	}
}

/** The queue names `wrangler queues list` shows, page after page until every one `wanted` is seen or a page adds none. */
function listQueues(wanted: readonly string[]): string[] {
	const names = new Set<string>();
	for (let page = 1; ; page++) {
		const result = spawnSync(WRANGLER, ["queues", "list", "--page", String(page)], {
			cwd: PROJECT_ROOT,
			encoding: "utf8",
			env: { ...process.env, FORCE_COLOR: "0" },
		});
		if (result.status !== 0) refuse([`\`wrangler queues list\` failed:\n${result.stdout}${result.stderr}`]);
		const before = names.size;
		for (const name of listedQueueNames(result.stdout)) names.add(name);
		if (names.size === before || wanted.every((name) => names.has(name))) return [...names];
	}
}

/** Stops before anything was changed, saying what to fix. */
function refuse(problems: string[]): never {
	console.error(`npm run deploy stopped before changing anything:\n${problems.map((problem) => `- ${problem}`).join("\n")}`);
	process.exit(1);
}

const config = readDeployConfig(readFileSync(`${PROJECT_ROOT}wrangler.toml`, "utf8"));
const unusableDatabases = databaseProblems(config);
if (unusableDatabases.length) refuse(unusableDatabases);
const missingQueues = queueProblems(config, listQueues(config.queues));
if (missingQueues.length) refuse(missingQueues);

// Migration 0012's triggers call unhex() (SQLite 3.41): without it, every delivery written would fail once it is applied.
for (const { binding } of config.databases) {
	const probe = spawnSync(WRANGLER, ["d1", "execute", binding, "--remote", "--command", "SELECT unhex('00') AS probe"], {
		cwd: PROJECT_ROOT,
		encoding: "utf8",
		env: { ...process.env, FORCE_COLOR: "0" },
	});
	if (probe.status !== 0)
		refuse([`D1 database ${binding} could not run unhex(), which migration 0012 needs:\n${probe.stdout}${probe.stderr}`]);
}

for (const { binding } of config.databases) change(["d1", "migrations", "apply", binding, "--remote"]);
change(["deploy"]);
