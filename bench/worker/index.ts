/**
 * The benchmark build of Hivepost (bench/wrangler.toml; local only, never
 * deployed). The real Worker from src/ answers every route it has, with its
 * bindings wrapped to count work (./work.ts). In front of it, bench-only
 * routes under /bench/:
 *   POST /bench/floor            the durable floor: one D1 insert of the body, one queue send
 *   POST /bench/ceiling?n=&to=   the fan-out ceiling: POST the body to `to` n times, no D1, queue or signing
 *   GET  /bench/work, POST /bench/work/reset   the work counters
 *   GET  /bench/recorded?since=  deliveries by status (as the API shows it) and attempts recorded in D1
 *   GET  /bench/attempts?account=  an account's deliveries with their automatic attempts' start times (the policy checks)
 *   POST /bench/setup            creates the floor's table (bench state only, not in src/db/schema.ts)
 */

import hivepost, { AccountPacer as HivepostAccountPacer, RetryScheduler as HivepostRetryScheduler } from "../../src";

// The account mover as it is: the move scenario measures its time, not its work.
export { AccountMover } from "../../src";

import { count, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { accountDatabase } from "../../src/db/client";
import { findLiveAccount } from "../../src/db/directory";
import { deliveryIdText, endpointIdOf, ofAccount } from "../../src/db/keyedDeliveries";
import { deliveriesV2 } from "../../src/db/keyedSchema";
import { attempts } from "../../src/db/schema";
import { LANES_PER_INVOCATION } from "../../src/delivery/isolation";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { shownStatus } from "../../src/delivery/stateChanges";
import { newId } from "../../src/lib/ids";
import { mapWithConcurrency } from "./concurrency";
import { counted, countedEnv, countedState, resetWork, work } from "./work";

interface BenchEnv extends Env {
	BENCH_FLOOR_QUEUE: Queue<{ id: string }>;
}

const json = (value: unknown, status = 200) => Response.json(value, { status });

/** What no durable ingest can avoid: store the body, queue one message. */
async function durableFloor(request: Request, env: BenchEnv): Promise<Response> {
	const countedDb = countedEnv(env, "floor").DB;
	const body = await request.text();
	const id = newId("flr");
	await countedDb.prepare("INSERT INTO bench_floor (id, body, received_at) VALUES (?, ?, ?)").bind(id, body, Date.now()).run();
	await env.BENCH_FLOOR_QUEUE.send({ id });
	work.floor.queueSends++;
	work.floor.queueMessages++;
	return json({ id }, 202);
}

/** The most a Worker can fan one body out: n straight POSTs, as many in flight as the delivery consumer allows. */
async function fanOutCeiling(request: Request, url: URL): Promise<Response> {
	const n = Number(url.searchParams.get("n") ?? "1");
	const to = url.searchParams.get("to") ?? "";
	const body = await request.text();
	const statuses = await mapWithConcurrency(
		Array.from({ length: n }, (_, i) => i),
		LANES_PER_INVOCATION,
		async (i) => {
			const response = await fetch(`${to}/ceiling/${i}`, { method: "POST", headers: { "content-type": "application/json" }, body });
			await response.arrayBuffer();
			return response.status;
		},
	);
	return json({ sent: statuses.length, ok: statuses.filter((status) => status >= 200 && status < 300).length });
}

/** Every attempt's start and duration: the attempts rows, and the successes kept on their deliveries' rows. */
const EVERY_ATTEMPT =
	"SELECT started_at, duration_ms FROM attempts UNION ALL SELECT ok_started_at, ok_duration_ms FROM deliveries_v2 WHERE ok_seq IS NOT NULL";

/** What D1 holds, read directly (not counted); `attemptMs` averages the attempts started since `?since=` (ms). */
async function recorded(env: Env, url: URL): Promise<Response> {
	const since = Number(url.searchParams.get("since") ?? "0");
	const statuses = await drizzle(env.DB)
		.select({ status: deliveriesV2.status, n: count() })
		.from(deliveriesV2)
		.groupBy(deliveriesV2.status);
	const tried = await env.DB.prepare(
		`SELECT (SELECT count(*) FROM (${EVERY_ATTEMPT})) AS n, (SELECT avg(duration_ms) FROM (${EVERY_ATTEMPT}) WHERE started_at >= ?) AS ms`,
	)
		.bind(since)
		.first<{ n: number; ms: number | null }>();
	// As the API shows them: `new` deliveries are pending.
	const deliveries: Record<string, number> = {};
	for (const { status, n } of statuses) deliveries[shownStatus(status)] = (deliveries[shownStatus(status)] ?? 0) + n;
	return json({ deliveries, attempts: tried?.n ?? 0, attemptMs: tried?.ms ?? null });
}

/**
 * An account's deliveries, each with its status and its automatic attempts' start times in order (read directly, not
 * counted): what the fairness scenarios check the retry policy against.
 */
async function accountAttempts(env: Env, url: URL): Promise<Response> {
	const account = await findLiveAccount(env, url.searchParams.get("account") ?? "");
	if (!account) return json({ error: "No such account." }, 404);
	// Its automatic attempts: the attempts rows, and the success kept on its row, in the order they were made.
	const started = sql<string>`(SELECT json_group_array(started_at) FROM (
		SELECT started_at, seq FROM ${attempts} WHERE ${attempts.accountId} = ${account.id} AND ${attempts.deliveryId} = ${deliveryIdText()} AND NOT ${attempts.manual}
		UNION ALL SELECT ${deliveriesV2.okStartedAt}, ${deliveriesV2.okSeq} WHERE ${deliveriesV2.okSeq} IS NOT NULL
		ORDER BY seq))`;
	const rows = await accountDatabase(env, account)
		.select({ id: deliveriesV2.id, status: deliveriesV2.status, endpointId: endpointIdOf(), started })
		.from(deliveriesV2)
		.where(ofAccount(account.id));
	return json(
		rows.map((row) => ({
			id: row.id,
			status: shownStatus(row.status),
			endpointId: row.endpointId,
			attemptsStartedAt: JSON.parse(row.started) as number[],
		})),
	);
}

async function benchRoute(request: Request, env: BenchEnv, url: URL): Promise<Response> {
	const route = `${request.method} ${url.pathname}`;
	switch (route) {
		case "POST /bench/floor":
			return counted("floor", () => durableFloor(request, env));
		case "POST /bench/ceiling":
			return fanOutCeiling(request, url);
		case "GET /bench/work":
			return json(work);
		case "POST /bench/work/reset":
			resetWork();
			return json(work);
		case "GET /bench/recorded":
			return recorded(env, url);
		case "GET /bench/attempts":
			return accountAttempts(env, url);
		case "POST /bench/setup":
			await env.DB.prepare(
				"CREATE TABLE IF NOT EXISTS bench_floor (id TEXT PRIMARY KEY, body TEXT NOT NULL, received_at INTEGER NOT NULL)",
			).run();
			return json({ ok: true });
		default:
			return json({ error: `No bench route ${route}.` }, 404);
	}
}

/** The real RetryScheduler, with its bindings counted and its alarms counted as invocations. */
export class RetryScheduler extends HivepostRetryScheduler {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, countedEnv(env, "retry"));
	}

	override alarm(): Promise<void> {
		return counted("retry", () => super.alarm());
	}
}

/** The real AccountPacer, with its bindings and storage writes counted and its alarms counted as invocations. */
export class AccountPacer extends HivepostAccountPacer {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, countedEnv(env, "pacer"));
		// The base class takes only a real state; its storage is counted once it is set.
		Object.defineProperty(this, "ctx", { value: countedState(ctx, "pacer") });
	}

	override alarm(): Promise<void> {
		return counted("pacer", () => super.alarm());
	}
}

export default {
	fetch(request, env, ctx) {
		const url = new URL(request.url);
		if (url.pathname.startsWith("/bench/")) return benchRoute(request, env, url);
		const handle = () => Promise.resolve(hivepost.fetch(request, countedEnv(env, "ingest"), ctx));
		const isIngest = request.method === "POST" && /^(\/accounts\/[^/]+)?\/events$/.test(url.pathname);
		return isIngest ? counted("ingest", handle) : handle();
	},
	queue(batch, env) {
		return counted("delivery", () => hivepost.queue(batch, countedEnv(env, "delivery")));
	},
	scheduled: hivepost.scheduled,
} satisfies ExportedHandler<BenchEnv, DeliveryMessage>;
