/**
 * What `npm run deploy` checks before it changes anything (scripts/deploy.ts
 * runs them): every D1 database in wrangler.toml (DB, and each DB_n added
 * beside it) has a real id and DB's migrations, and every queue it names
 * exists. Pure functions of wrangler.toml's text and of what
 * `wrangler queues list` printed, so they are tested without a network.
 */
import { parse } from "smol-toml";

export interface D1Block {
	binding: string;
	databaseName: string;
	databaseId: string | undefined;
	/** Its migrations folder, as wrangler reads it (./migrations when unset), normalised. */
	migrationsDir: string;
}

export interface DeployConfig {
	databases: D1Block[];
	/** Every queue the Worker produces to or consumes from, once each. */
	queues: string[];
}

/** `database_id` as wrangler.toml is shipped with: a placeholder, not a database. */
export const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

/** What a D1 database's id looks like: a UUID. */
const D1_DATABASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The binding of the directory database (src/db/client.ts); the others are DB_1, DB_2, … */
const DIRECTORY_BINDING = "DB";

/** Where `wrangler d1 migrations apply` looks when a block names no migrations_dir. */
const WRANGLER_MIGRATIONS_DIR = "migrations";

type Table = Record<string, unknown>;

const tables = (value: unknown): Table[] => (Array.isArray(value) ? value.filter((entry) => typeof entry === "object") : []);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
/** "./migrations/" and "migrations" are one folder. */
const folder = (path: string) => path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");

/** The D1 databases and queues of a wrangler.toml (its top level: the environment `wrangler deploy` uses by default). */
export function readDeployConfig(toml: string): DeployConfig {
	const config = parse(toml) as Table;
	const queues = (config.queues ?? {}) as Table;
	return {
		databases: tables(config.d1_databases).map((block) => ({
			binding: text(block.binding) ?? "(no binding)",
			databaseName: text(block.database_name) ?? "(no database_name)",
			databaseId: text(block.database_id),
			migrationsDir: folder(text(block.migrations_dir) ?? WRANGLER_MIGRATIONS_DIR),
		})),
		queues: [...new Set([...tables(queues.producers), ...tables(queues.consumers)].flatMap((block) => text(block.queue) ?? []))],
	};
}

/** What is wrong with the D1 blocks, each said with what to do. */
export function databaseProblems(config: DeployConfig): string[] {
	const directory = config.databases.find((block) => block.binding === DIRECTORY_BINDING);
	if (!directory) {
		return [
			`No [[d1_databases]] block has binding = "${DIRECTORY_BINDING}": Hivepost keeps its accounts there. Add it back (README: Deploy).`,
		];
	}
	return config.databases.flatMap(({ binding, databaseName, databaseId, migrationsDir }) => {
		// Every database holds account data in the same tables: one set of migrations for all.
		if (migrationsDir !== directory.migrationsDir) {
			return [
				`The [[d1_databases]] block of binding ${binding} takes its migrations from ${migrationsDir}, DB from ${directory.migrationsDir}: every database needs the same tables. Set migrations_dir = "${directory.migrationsDir}" in its block.`,
			];
		}
		const fix = `Run \`npx wrangler d1 create ${databaseName}\` (or \`npx wrangler d1 list\` for an existing one) and put its id in wrangler.toml.`;
		if (databaseId === undefined || databaseId.trim() === "") {
			return [
				`The [[d1_databases]] block of binding ${binding} has no database_id: wrangler deploy would create a new, empty database for it, after the migrations had run elsewhere. ${fix}`,
			];
		}
		if (databaseId === PLACEHOLDER_DATABASE_ID) {
			return [`The [[d1_databases]] block of binding ${binding} still has the placeholder database_id ${PLACEHOLDER_DATABASE_ID}. ${fix}`];
		}
		if (!D1_DATABASE_ID.test(databaseId)) {
			return [
				`The [[d1_databases]] block of binding ${binding} has database_id ${JSON.stringify(databaseId)}, which is not a D1 database id (a UUID, as \`wrangler d1 create\` prints it). ${fix}`,
			];
		}
		return [];
	});
}

/** The queue names in `wrangler queues list` output: the `name` column of the table it prints (none when it printed no table). */
export function listedQueueNames(output: string): string[] {
	const rows = output
		.split("\n")
		.map((line) => line.trim())
		.filter((line) => line.startsWith("│") && line.endsWith("│"))
		.map((line) =>
			line
				.slice(1, -1)
				.split("│")
				.map((cell) => cell.trim()),
		);
	const [head, ...body] = rows;
	const column = head?.indexOf("name") ?? -1;
	return column === -1 ? [] : body.map((row) => row[column]).filter((name) => name);
}

/** The queues wrangler.toml names that are not among `listed`, each said with what to do. */
export function queueProblems(config: DeployConfig, listed: readonly string[]): string[] {
	return config.queues
		.filter((queue) => !listed.includes(queue))
		.map((queue) => `The queue ${queue} named in wrangler.toml does not exist. Create it: \`npx wrangler queues create ${queue}\`.`);
}

/**
 * What `npm run deploy` asks each database before it migrates, to learn whether migration 0017 may drop `deliveries`:
 * which of the two tables it has, whether `deliveries` holds any row, and whether the copy of those rows into
 * deliveries_v2 (by the cron of 0.5.0 and 0.6.0) is done.
 */
export const COPY_TABLES_QUERY =
	"SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deliveries') AS deliveries, (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deliveries_copy') AS deliveries_copy";
const COPY_ROWS_QUERY = "SELECT EXISTS (SELECT 1 FROM deliveries) AS any_rows";
const COPY_DONE_QUERY = "SELECT (SELECT done_at FROM deliveries_copy WHERE id = 1) AS done_at";

/**
 * What `npm run deploy` asks the directory (DB) before it migrates, to learn whether a release before 0.7.0 is still
 * live: when the cron last ran the copy job of 0.5.0 and 0.6.0 (`cron_runs`, since 0.4.0), if ever.
 */
const CRON_RUNS_TABLE_QUERY = "SELECT count(*) AS cron_runs FROM sqlite_master WHERE type = 'table' AND name = 'cron_runs'";
const LAST_COPY_RUN_QUERY = "SELECT (SELECT max(started_at) FROM cron_runs WHERE job = 'deliveries_copy') AS started_at";

/** One statement's first row, as the deploy asks a database (or a test its own). */
export type Ask = <Row>(statement: string) => Row | Promise<Row>;

/**
 * What `npm run deploy` asks the directory (DB) before it migrates, to learn whether a move between databases is under
 * way: whether it has the table of moves (from 0.4.0), and how many it holds.
 */
const MOVES_TABLE_QUERY = "SELECT count(*) AS account_moves FROM sqlite_master WHERE name = 'account_moves'";
const MOVES_QUERY = "SELECT count(*) AS moves FROM account_moves";

/**
 * Why the deployment cannot take this release yet, or null: a move under way logs its changes as the release that runs
 * it does, and the release after 0.5.0 logs and copies deliveries in deliveries_v2 (0.5.0's log would be lost to it).
 */
export function movesProblem(moves: number): string | null {
	if (!moves) return null;
	return `${moves === 1 ? "An account move is" : `${moves} account moves are`} under way: let ${moves === 1 ? "it" : "them"} end (GET /api/accounts shows moving_to until then), then run npm run deploy again.`;
}

/** The first row of `wrangler d1 execute --json` output. */
export function executedRow<Row>(output: string): Row {
	const [statement] = JSON.parse(output) as { results: Row[] }[];
	const [row] = statement?.results ?? [];
	if (row === undefined) throw new Error(`wrangler d1 execute printed no row: ${output}`);
	return row;
}

/** What a database answered: its tables, whether `deliveries` holds a row (when it has it), when the copy was done. */
export interface CopyState {
	tables: { deliveries: number; deliveries_copy: number };
	anyRows: boolean;
	doneAt: number | null;
}

/** Asks a database what CopyState holds, each question only where its table is. */
export async function copyStateOf(ask: Ask): Promise<CopyState> {
	const tables = await ask<CopyState["tables"]>(COPY_TABLES_QUERY);
	return {
		tables,
		anyRows: tables.deliveries ? (await ask<{ any_rows: number }>(COPY_ROWS_QUERY)).any_rows === 1 : false,
		doneAt: tables.deliveries_copy ? (await ask<{ done_at: number | null }>(COPY_DONE_QUERY)).done_at : null,
	};
}

/**
 * Why `binding` cannot take this release yet, or null. Migration 0017 drops `deliveries`: the code of releases before
 * 0.5.0 writes it, and its rows from before migration 0012 must first be copied into deliveries_v2. A database that
 * never had it (new) or no longer has it (dropped) has nothing to wait for.
 */
export function copyProblem(binding: string, { tables, anyRows, doneAt }: CopyState): string | null {
	if (!tables.deliveries) return null;
	if (!tables.deliveries_copy)
		return `D1 database ${binding} is from before release 0.5.0, whose code writes the table deliveries that this release drops (migration 0017): deploy the releases in order (0.5.0, and let its cron copy the deliveries: the System page shows deliveries_copy done; then 0.6.0 and 0.7.0), then this release.`;
	if (doneAt !== null || !anyRows) return null;
	return `D1 database ${binding} still copies its deliveries from before 0.5.0 into deliveries_v2, and this release drops the table deliveries (migration 0017): wait until the System page shows the deliveries_copy job done (500 rows a minute), deploy 0.6.0 and 0.7.0 if they are not live yet, then run npm run deploy again.`;
}

/** How long after its last run of the copy job a release before 0.7.0 is taken as no longer live: ten of its cron's minutes. */
export const OLDER_RELEASE_GONE_MS = 10 * 60_000;

/**
 * Why the deployment cannot take this release yet, or null: a release before 0.7.0 that is still live (its cron ran
 * the copy job within OLDER_RELEASE_GONE_MS of `now`) uses what migration 0017 drops, in its cron and its account purge.
 */
export function olderReleaseProblem(lastCopyRunAt: number | null, now: number): string | null {
	if (lastCopyRunAt === null || now - lastCopyRunAt >= OLDER_RELEASE_GONE_MS) return null;
	const minutes = Math.max(1, Math.round((now - lastCopyRunAt) / 60_000));
	return `A release before 0.7.0 may still be live (a cron copied deliveries ${minutes} min ago, which 0.5.0 and 0.6.0 do and 0.7.0 does not), and it would use the tables this release drops (migration 0017): deploy 0.7.0 first if it is not live yet, then run npm run deploy again once 0.7.0 has been live for 10 minutes.`;
}

/** How many account moves the directory holds (none before the table of moves existed). */
export async function movesOf(ask: Ask): Promise<number> {
	const { account_moves } = await ask<{ account_moves: number }>(MOVES_TABLE_QUERY);
	return account_moves ? (await ask<{ moves: number }>(MOVES_QUERY)).moves : 0;
}

/** When the cron last ran the copy job of 0.5.0 and 0.6.0, by the directory's record of runs; null if never. */
export async function lastCopyRunOf(ask: Ask): Promise<number | null> {
	const { cron_runs } = await ask<{ cron_runs: number }>(CRON_RUNS_TABLE_QUERY);
	return cron_runs ? (await ask<{ started_at: number | null }>(LAST_COPY_RUN_QUERY)).started_at : null;
}
