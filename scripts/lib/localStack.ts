/**
 * Starts the real local stack — `wrangler dev` with local D1, Queues and
 * Durable Objects — for the dev command, the end-to-end tests and the
 * benchmark, with the migrations applied to each of its databases (and, for
 * several, a wrangler config that binds them). The process runs in its own
 * group so it can be stopped (or killed outright) with everything it started.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readDeployConfig } from "./deployChecks.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = `${PROJECT_ROOT}node_modules/.bin/wrangler`;

export interface LocalStackOptions {
	port: number;
	/** Local state folder (D1, queues, Durable Objects); wrangler's default when omitted. */
	persistTo?: string;
	/** A dotenv file with the settings; when given, .dev.vars is not read. */
	envFile?: string;
	/** Print wrangler's output instead of keeping it (kept output is shown if start-up fails). */
	inheritOutput?: boolean;
	/** Another wrangler config (e.g. the benchmark build), relative to the project root; wrangler.toml when omitted. */
	configPath?: string;
}

export interface LocalStack {
	url: string;
	process: ChildProcess;
	/** Ends wrangler and workerd (SIGTERM, or SIGKILL to simulate a crash). */
	stop(signal?: NodeJS.Signals): Promise<void>;
}

function stateArgs(persistTo: string | undefined, configPath: string | undefined): string[] {
	return [...(persistTo ? ["--persist-to", persistTo] : []), ...(configPath ? ["--config", configPath] : [])];
}

/** The bindings of the D1 databases a wrangler config (relative to the project root; wrangler.toml when omitted) lists. */
function databaseBindings(configPath = "wrangler.toml"): string[] {
	return readDeployConfig(readFileSync(join(PROJECT_ROOT, configPath), "utf8")).databases.map((block) => block.binding);
}

/** Runs `wrangler d1 <args> --local` on the local state; throws with its output when it fails. */
function localD1(args: string[], persistTo: string | undefined, configPath: string | undefined): void {
	const result = spawnSync(WRANGLER, ["d1", ...args, "--local", ...stateArgs(persistTo, configPath)], {
		cwd: PROJECT_ROOT,
		encoding: "utf8",
		env: { ...process.env, CI: "true" },
	});
	if (result.status !== 0) throw new Error(`wrangler d1 ${args.slice(0, 2).join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

/** Applies the migrations to each local D1 database the config binds (DB, and any DB_n). */
export function applyLocalMigrations(persistTo?: string, configPath?: string): void {
	for (const binding of databaseBindings(configPath)) localD1(["migrations", "apply", binding], persistTo, configPath);
}

/** Runs SQL in the local D1 database bound as `binding` (for a test that writes what the API would refuse). */
export function executeLocalSql(binding: string, sql: string, persistTo?: string, configPath?: string): void {
	localD1(["execute", binding, "--command", sql], persistTo, configPath);
}

/**
 * A wrangler config binding `count` databases for account data: `configPath`'s
 * (wrangler.toml when omitted) with DB_1 … DB_{count - 1} added, each a local
 * database of its own with DB's migrations. Written beside it, since its paths
 * are relative to it, as `.wrangler-<count>-databases.toml` (git ignores it;
 * rewritten on every start, the same text for the same count). Returns its
 * path relative to the project root.
 */
export function configWithDatabases(count: number, configPath = "wrangler.toml"): string {
	const base = readFileSync(join(PROJECT_ROOT, configPath), "utf8");
	const databases = readDeployConfig(base).databases;
	const directory = databases.find((block) => block.binding === "DB");
	if (!directory) throw new Error(`${configPath} binds no D1 database as DB`);
	const added = Array.from({ length: count - 1 }, (_, i) => i + 1)
		.filter((n) => !databases.some((block) => block.binding === `DB_${n}`))
		.map(
			(n) => `
[[d1_databases]]
binding = "DB_${n}"
database_name = "${directory.databaseName}-${n}"
database_id = "00000000-0000-0000-0000-${String(n).padStart(12, "0")}"
migrations_dir = "${directory.migrationsDir}"
`,
		);
	const path = join(dirname(configPath), `.wrangler-${count}-databases.toml`);
	writeFileSync(
		join(PROJECT_ROOT, path),
		`# Written by scripts/lib/localStack.ts for local runs with ${count} databases: ${configPath}, plus DB_1 … DB_${count - 1}.\n${base}${added.join("")}`,
	);
	return path;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
	const args = [
		"dev",
		"--local",
		"--ip",
		"127.0.0.1",
		"--port",
		String(options.port),
		"--test-scheduled",
		"--show-interactive-dev-session=false",
	];
	args.push(...stateArgs(options.persistTo, options.configPath));
	if (options.envFile) args.push("--env-file", options.envFile);
	const child = spawn(WRANGLER, args, {
		cwd: PROJECT_ROOT,
		detached: true,
		stdio: options.inheritOutput ? "inherit" : "pipe",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
	let output = "";
	child.stdout?.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr?.on("data", (chunk) => {
		output += chunk;
	});
	const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
	const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		try {
			process.kill(-(child.pid ?? 0), signal);
		} catch {
			// Already gone.
		}
		await exited;
	};
	const url = `http://127.0.0.1:${options.port}`;
	try {
		await waitForHealth(url, child);
	} catch (error) {
		await stop("SIGKILL");
		throw new Error(`${error instanceof Error ? error.message : error}\n--- wrangler output ---\n${output}`);
	}
	return { url, process: child, stop };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
		try {
			const response = await fetch(`${url}/health`);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`wrangler dev did not answer ${url}/health within ${timeoutMs / 1000} s`);
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Local Cron Triggers do not fire by themselves: runs the sweep every minute, as production's cron does. Returns a stop function. */
export function sweepEveryMinute(url: string): () => void {
	const timer = setInterval(() => {
		fetch(`${url}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
	}, 60_000);
	return () => clearInterval(timer);
}

/** Writes `settings` as a dotenv file in `dir` (readable by its owner only) for `envFile`; returns its path. */
export function writeSettingsFile(dir: string, settings: Record<string, string>): string {
	const path = join(dir, "settings.env");
	writeFileSync(
		path,
		Object.entries(settings)
			.map(([key, value]) => `${key}=${value}\n`)
			.join(""),
		{ mode: 0o600 },
	);
	return path;
}
