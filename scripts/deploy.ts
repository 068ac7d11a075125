/**
 * `npm run deploy`: checks, then migrates, then deploys. Nothing is changed
 * until the checks pass (scripts/lib/deployChecks.ts): every D1 database in
 * wrangler.toml (DB and each DB_n) has a real id and DB's migrations, and
 * every queue it names exists; no account move is under way, and no release
 * before 0.7.0 is live; then each database is asked to run unhex(), which the
 * migrations' triggers need, and whether the deliveries it had before
 * migration 0012 are all copied into deliveries_v2 (by the cron of 0.5.0 and
 * 0.6.0), since migration 0017 drops the table they were in. Then the
 * migrations are applied to every D1 database, and the Worker is deployed.
 * Migrations only add (migrations/README.md), so should the deploy fail after
 * them, the Worker still running keeps working.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
	copyProblem,
	copyStateOf,
	databaseProblems,
	executedRow,
	lastCopyRunOf,
	listedQueueNames,
	movesOf,
	movesProblem,
	olderReleaseProblem,
	queueProblems,
	readDeployConfig,
} from "./lib/deployChecks.ts";
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

/** Runs one statement on the remote database `binding`; its first row, or the deploy is refused with `failure`. */
function ask<Row>(binding: string, statement: string, failure: string): Row {
	const result = spawnSync(WRANGLER, ["d1", "execute", binding, "--remote", "--json", "--command", statement], {
		cwd: PROJECT_ROOT,
		encoding: "utf8",
		env: { ...process.env, FORCE_COLOR: "0" },
	});
	if (result.status !== 0) refuse([`${failure}:\n${result.stdout}${result.stderr}`]);
	return executedRow<Row>(result.stdout);
}

// A move under way must end first: it logs its changes as the release running it does.
const directoryFailure = "D1 database DB (the directory) could not be read";
const askDirectory = <Row>(statement: string) => ask<Row>("DB", statement, directoryFailure);
const movesUnderWay = movesProblem(await movesOf(askDirectory));
if (movesUnderWay) refuse([movesUnderWay]);

// 0.5.0 and 0.6.0 use what migration 0017 drops: the release live must be 0.7.0.
const olderRelease = olderReleaseProblem(await lastCopyRunOf(askDirectory), Date.now());
if (olderRelease) refuse([olderRelease]);

for (const { binding } of config.databases) {
	// Migration 0012's triggers call unhex() (SQLite 3.41): without it, every delivery written would fail once it is applied.
	ask(binding, "SELECT unhex('00') AS probe", `D1 database ${binding} could not run unhex(), which migration 0012 needs`);
	// Migration 0017 drops `deliveries`: its rows from before 0012 must be in deliveries_v2 first.
	const failure = `D1 database ${binding} could not be read`;
	const problem = copyProblem(binding, await copyStateOf(<Row>(statement: string) => ask<Row>(binding, statement, failure)));
	if (problem) refuse([problem]);
}

for (const { binding } of config.databases) change(["d1", "migrations", "apply", binding, "--remote"]);
change(["deploy"]);
