/**
 * `npm run deploy`: checks, then migrates, then deploys. Nothing is changed
 * until the checks pass (scripts/lib/deployChecks.ts): every D1 database in
 * wrangler.toml (DB and each DB_n) has a real id and DB's migrations, and
 * every queue it names exists; then each database is asked to run unhex(),
 * which the migrations' triggers need, and whether the deliveries it had
 * before migration 0012 are all copied into deliveries_v2, which the code
 * reads (0.5.0's cron copies them). Then the migrations are applied to
 * every D1 database, and the Worker is deployed.
 * Migrations only add (migrations/README.md), so should the deploy fail after
 * them, the Worker still running keeps working.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
	COPY_DONE_QUERY,
	COPY_ROWS_QUERY,
	COPY_TABLES_QUERY,
	type CopyState,
	copyProblem,
	databaseProblems,
	executedRow,
	listedQueueNames,
	MOVES_QUERY,
	MOVES_TABLE_QUERY,
	movesProblem,
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
const movesTable = ask<{ account_moves: number }>("DB", MOVES_TABLE_QUERY, directoryFailure).account_moves;
const moves = movesTable ? ask<{ moves: number }>("DB", MOVES_QUERY, directoryFailure).moves : 0;
const movesUnderWay = movesProblem(moves);
if (movesUnderWay) refuse([movesUnderWay]);

for (const { binding } of config.databases) {
	// Migration 0012's triggers call unhex() (SQLite 3.41): without it, every delivery written would fail once it is applied.
	ask(binding, "SELECT unhex('00') AS probe", `D1 database ${binding} could not run unhex(), which migration 0012 needs`);
	// This release reads deliveries_v2: the deliveries from before 0012 must be copied there first.
	const failure = `D1 database ${binding} could not be read`;
	const tables = ask<CopyState["tables"]>(binding, COPY_TABLES_QUERY, failure);
	const anyRows = tables.deliveries ? ask<{ any_rows: number }>(binding, COPY_ROWS_QUERY, failure).any_rows === 1 : false;
	const doneAt = tables.deliveries_copy ? ask<{ done_at: number | null }>(binding, COPY_DONE_QUERY, failure).done_at : null;
	const problem = copyProblem(binding, { tables, anyRows, doneAt });
	if (problem) refuse([problem]);
}

for (const { binding } of config.databases) change(["d1", "migrations", "apply", binding, "--remote"]);
change(["deploy"]);
