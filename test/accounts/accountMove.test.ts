/**
 * Moving an account to another database (accounts/moves.ts, accountMover.ts, moveSteps.ts): the API's contract, a
 * move of an account with rows in every table (all of them in the new database afterwards, none in the old but the
 * marker), a move whose step fails midway and resumes where it stopped, and what the marker does to writes that
 * still reach the old database: refused there, nothing written, the work sent on to the new home.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { firstStep, type MoveProgress, runStep } from "../../src/accounts/moveSteps";
import { readSettings } from "../../src/config";
import { accountScope } from "../../src/db/client";
import { MOVED_TABLES } from "../../src/db/moveCopy";
import { purgeExpired } from "../../src/db/retention";
import { storeEvent } from "../../src/ingest/storeEvent";
import { DAY_MS } from "../../src/lib/time";
import { api, json } from "../helpers/api";
import { IS_TABLE } from "../helpers/deliveriesView";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	databaseBinding,
	fixture,
	ingest,
	makeDue,
	rowsIn,
	runConsumer,
	runRetryAlarm,
	sleep,
	stubDestination,
	type TestDatabase,
} from "../helpers/worker";

/**
 * Tables with an account_id that are not account data, or not compared as they are stored: the directory's, the move's
 * own, and the endpoints' keys (each database gives its own) with deliveries_v2, which holds them: its rows are compared
 * through the view `deliveries` over it (test/helpers/deliveriesView.ts), by endpoint id.
 */
const NOT_ACCOUNT_DATA = [
	"deliveries_v2",
	"endpoint_keys",
	"accounts",
	"admin_links",
	"account_sessions",
	"signed_ingest_ids",
	"account_moves",
	"account_markers",
	"move_changes",
];

/** Every table of account data, as the schema has it (not as the move lists them): each with an account_id column. */
const TABLES = (await rowsIn<{ name: string; sql: string }>("DB_1", `SELECT name, sql FROM sqlite_master WHERE ${IS_TABLE} ORDER BY name`))
	.filter((table) => table.sql.includes("account_id"))
	.map((table) => table.name)
	.filter((name) => !NOT_ACCOUNT_DATA.includes(name));

/** Starts moving `uid` to `database` through the API. */
function move(uid: string, database: string) {
	return api(`/accounts/${uid}/move`, { method: "POST", body: { database } });
}

/** Waits until the account's move has ended (the directory holds no move of it), the mover's alarm running on its own. */
async function untilMoved(accountId: string, timeoutMs = 20_000) {
	const deadline = Date.now() + timeoutMs;
	while ((await rowsIn("DB", "SELECT 1 FROM account_moves WHERE account_id = ?", accountId)).length) {
		if (Date.now() > deadline) throw new Error("the move did not end");
		await sleep(25);
	}
}

/** Every row of the account in each table of account data, in `database`, ordered so that two copies compare equal. */
async function accountRows(database: TestDatabase, accountId: string) {
	const tables: Record<string, unknown[]> = {};
	for (const table of TABLES)
		tables[table] = await rowsIn(database, `SELECT * FROM ${table} WHERE account_id = ? ORDER BY 1, 2, 3`, accountId);
	return tables;
}

/** acme on DB_1 with rows in every table: an endpoint with headers and a filter (and its audit record), a second one
 * that fails, events (one with an Idempotency-Key), a delivered and a retrying delivery with its attempt, an outbox row. */
async function busyAccount() {
	const { database } = await createAccount("acme");
	expect(database).toBe("DB_1");
	const accountId = await accountIdOf("acme");
	const good = await createEndpoint("https://good.example/hook", { account: "acme", events: ["ticket.created"] });
	await api(`/accounts/acme/endpoints/${good.id}`, { method: "PATCH", body: { headers: { Authorization: "Bearer receiver-secret" } } });
	await createEndpoint("https://bad.example/hook", { account: "acme" });
	stubDestination((captured) => new Response("", { status: captured.url.includes("bad") ? 500 : 200 }));
	const { queue } = await ingest(fixture("ticket.created"), { account: "acme", headers: { "Idempotency-Key": "key-1" } });
	await ingest(fixture("ticket.archived"), { account: "acme" });
	await runConsumer(queue.messages);
	await databaseBinding("DB_1")
		.prepare(
			"INSERT INTO operational_outbox (key, account_id, type, at, data) VALUES ('endpoint.failing:x:1', ?, 'endpoint.failing', 1, '{}')",
		)
		.bind(accountId)
		.run();
	return { accountId, messages: queue.messages };
}

describe("POST /api/accounts/{uid}/move", () => {
	it("answers 202 with the account, its database and where it goes, and the account shows the move until it ends", async () => {
		const { accountId } = await busyAccount();
		const response = await move("acme", "DB_2");
		expect(response.status).toBe(202);
		expect(await json(response)).toEqual({ uid: "acme", database: "DB_1", moving_to: "DB_2" });
		const during = await json<{ moving_to: string; move: { state: string; copied_rows: number; started_at: string } }>(
			await api("/accounts/acme"),
		);
		expect(during.moving_to).toBe("DB_2");
		expect(["copying", "switching", "cleaning"]).toContain(during.move.state);
		expect(Date.parse(during.move.started_at)).toBeLessThanOrEqual(Date.now());
		await untilMoved(accountId);
		const after = await json(await api("/accounts/acme"));
		expect(after).toMatchObject({ database: "DB_2", moving_to: null, move: null });
		const list = await json<{ accounts: Record<string, unknown>[] }>(await api("/accounts"));
		expect(list.accounts.find((account) => account.uid === "acme")).toMatchObject({ database: "DB_2", moving_to: null, move: null });
	});

	it("refuses a move to the account's own database (409 same_database), a second move (409 move_in_progress) and an unbound database (422 naming it)", async () => {
		await createAccount("acme");
		expect(await json(await move("acme", "DB_1"))).toMatchObject({ code: "same_database" });
		const unbound = await move("acme", "DB_9");
		expect(unbound.status).toBe(422);
		expect(await json(unbound)).toMatchObject({ code: "validation_failed", fields: { database: "one of DB, DB_1, DB_2" } });
		expect((await move("acme", "DB_2")).status).toBe(202);
		const again = await move("acme", "DB");
		expect(again.status).toBe(409);
		expect(await json(again)).toMatchObject({ code: "move_in_progress" });
		await untilMoved(await accountIdOf("acme"));
	});

	it("refuses to delete an account while it is being moved (409 move_in_progress), and deletes it once the move has ended", async () => {
		const { accountId } = await busyAccount();
		expect((await move("acme", "DB_2")).status).toBe(202);
		const refused = await api("/accounts/acme", { method: "DELETE" });
		expect(refused.status).toBe(409);
		expect(await json(refused)).toMatchObject({ code: "move_in_progress" });
		await untilMoved(accountId);
		expect((await api("/accounts/acme", { method: "DELETE" })).status).toBe(204);
	});

	it("keeps the default account on DB (409 account_protected), wherever it is asked to go", async () => {
		expect(await json(await move("default", "DB_1"))).toMatchObject({ code: "account_protected" });
		// Wherever it is asked to go: a database not bound too.
		const unbound = await move("default", "DB_9");
		expect(unbound.status).toBe(409);
		expect(await json(unbound)).toMatchObject({ code: "account_protected" });
	});
});

describe("a move", () => {
	it("copies every row of every table to the new database and leaves none in the old one but the marker", async () => {
		const { accountId } = await busyAccount();
		const before = await accountRows("DB_1", accountId);
		for (const table of TABLES) expect(before[table].length, table).toBeGreaterThan(0);
		// DB_2 has endpoint keys of its own (another account's endpoints): the deliveries moved take the keys it gives theirs.
		expect((await createAccount("beta")).database).toBe("DB_2");
		for (const host of ["b1", "b2", "b3"]) await createEndpoint(`https://${host}.example/hook`, { account: "beta" });
		await move("acme", "DB_2");
		await untilMoved(accountId);
		expect(await accountRows("DB_2", accountId)).toEqual(before);
		for (const [table, left] of Object.entries(await accountRows("DB_1", accountId))) expect(left, table).toEqual([]);
		expect(await rowsIn("DB_2", "SELECT count(*) AS n FROM deliveries_v2")).toEqual([{ n: before.deliveries.length }]);
		// Its endpoints' keys: given in the new database as the endpoints were written there, forgotten in the old one.
		const endpointsWithDeliveries = new Set(before.deliveries.map((row) => (row as { endpoint_id: string }).endpoint_id));
		expect(await rowsIn("DB_2", "SELECT endpoint_id FROM endpoint_keys WHERE account_id = ?", accountId)).toHaveLength(
			endpointsWithDeliveries.size,
		);
		expect(await rowsIn("DB_1", "SELECT endpoint_id FROM endpoint_keys WHERE account_id = ?", accountId)).toEqual([]);
		expect(await rowsIn("DB_1", "SELECT state FROM account_markers WHERE account_id = ?", accountId)).toEqual([{ state: "moved" }]);
		expect(await rowsIn("DB_1", "SELECT * FROM move_changes")).toEqual([]);
		expect(await rowsIn("DB_2", "SELECT * FROM account_markers")).toEqual([]);
	});

	it("stopped by a failing step, resumes where it stopped: every row copied once", async () => {
		const { accountId } = await busyAccount();
		const before = await accountRows("DB_1", accountId);
		const total = Object.values(before).reduce((sum, table) => sum + table.length, 0);
		// The target's attempts table out of reach: the step that copies it fails, again and again.
		await databaseBinding("DB_2").prepare("ALTER TABLE attempts RENAME TO attempts_away").run();
		await move("acme", "DB_2");
		const mover = env.ACCOUNT_MOVER.getByName(accountId);
		const stuck = async () => (await runInDurableObject(mover, (_instance, state) => state.storage.get<MoveProgress>("progress")))?.table;
		const attemptsTable = MOVED_TABLES.findIndex((moved) => moved.name === "attempts");
		const deadline = Date.now() + 10_000;
		while ((await stuck()) !== attemptsTable && Date.now() < deadline) await sleep(25);
		await sleep(200);
		expect(await stuck()).toBe(attemptsTable);
		await databaseBinding("DB_2").prepare("ALTER TABLE attempts_away RENAME TO attempts").run();
		// Once every table is copied (the move past `copying`), the rows it counted: restarted from the beginning, the
		// tables before attempts would have been copied, and counted, twice.
		let copied: number | undefined;
		while (copied === undefined) {
			const [row] = await rowsIn<{ state: string; copied_rows: number }>("DB", "SELECT state, copied_rows FROM account_moves");
			if (!row) throw new Error("the move ended unseen");
			if (row.state !== "copying") copied = row.copied_rows;
			else await sleep(5);
		}
		expect(copied).toBe(total);
		await untilMoved(accountId);
		expect(await accountRows("DB_2", accountId)).toEqual(before);
	}, 30_000);

	it("once claims stop, waits for a Retry now begun while the rows were copied: its attempt is recorded and moved", async () => {
		const { accountId } = await busyAccount();
		const [delivered] = await rowsIn<{ id: string }>("DB_1", "SELECT id FROM deliveries WHERE status = 'delivered' LIMIT 1");
		let answer = () => {};
		const answered = new Promise<void>((resolve) => {
			answer = resolve;
		});
		const { requests } = stubDestination(async () => {
			await answered;
			return new Response("", { status: 200 });
		});
		const start = Date.now();
		const step = async (progress: MoveProgress, now: number) => (await runStep(env, progress, now)) as MoveProgress;
		let progress = await step(firstStep({ accountId, source: "DB_1", target: "DB_2" }), start);
		const retry = api(`/accounts/acme/deliveries/${delivered.id}/retry`, { method: "POST" });
		while (requests.length === 0) await sleep(5);
		while (progress.phase === "copying") progress = await step(progress, start);
		// Claims have stopped and none is in flight, but the Retry now still waits for its answer.
		progress = await step(progress, start + 1);
		expect(progress.phase).toBe("draining");
		answer();
		expect((await retry).status).toBe(200);
		const later = start + 2 * readSettings(env).deliveryTimeoutMs;
		while (progress.phase !== "cleaning") progress = await step(progress, later);
		expect(await rowsIn("DB_2", "SELECT manual FROM attempts WHERE delivery_id = ? AND manual = 1", delivered.id)).toEqual([{ manual: 1 }]);
	});

	it("while draining has only to wait, the mover looks again a second later, not every few milliseconds", async () => {
		await createAccount("acme");
		const accountId = await accountIdOf("acme");
		await runInDurableObject(env.ACCOUNT_MOVER.getByName(accountId), async (mover, state) => {
			const before = Date.now();
			const draining: MoveProgress = {
				accountId,
				source: "DB_1",
				target: "DB_2",
				phase: "draining",
				table: 0,
				after: null,
				drainingSince: before,
			};
			await state.storage.put("progress", draining);
			await mover.alarm();
			expect(await state.storage.getAlarm()).toBeGreaterThanOrEqual(before + 1_000);
			await state.storage.deleteAlarm();
			await state.storage.deleteAll();
		});
	});

	it("goes on from a table past the last, where 0.6.0 listed `deliveries` (a move it saved there): copying ends, then cleaning", async () => {
		await createAccount("acme");
		const accountId = await accountIdOf("acme");
		const pastLast = { accountId, source: "DB_1", target: "DB_2", table: MOVED_TABLES.length, after: null };
		expect((await runStep(env, { ...pastLast, phase: "copying" }))?.phase).toBe("draining");
		expect(await runStep(env, { ...pastLast, phase: "cleaning" })).toBeNull();
	});

	it("looks for claims in flight through the unfinished deliveries' indexes, not through the account's whole history", async () => {
		const { accountId } = await busyAccount();
		const recorded: RecordedStatement[] = [];
		const recording = { ...env, DB_1: recordingDatabase(recorded, env.DB_1) };
		let progress: MoveProgress | null = firstStep({ accountId, source: "DB_1", target: "DB_2" });
		while (progress) progress = await runStep(recording, progress);
		const check = recorded.find(({ sql }) => /"claim_id" is not null and "deliveries_v2"."lease_until" >/i.test(sql));
		if (!check) throw new Error("no claim check recorded");
		const plan = await env.DB_1.prepare(`EXPLAIN QUERY PLAN ${check.sql}`)
			.bind(...check.params)
			.all<{ detail: string }>();
		const details = plan.results.map((row) => row.detail).join(" | ");
		expect(details).toMatch(/deliveries_v2_unfinished \(endpoint_key=\?/);
		expect(details).not.toMatch(/SEARCH deliveries_v2 USING PRIMARY KEY \(account_id=\?\)( \||$)/);
	});

	it("is not undone by retention: the purge, run in every database while the deliveries are copied, spares the moving account", async () => {
		const { accountId } = await busyAccount();
		const deliveriesTable = MOVED_TABLES.findIndex((moved) => moved.name === "deliveries_v2");
		let progress: MoveProgress | null = firstStep({ accountId, source: "DB_1", target: "DB_2" });
		let purged = false;
		while (progress) {
			if (!purged && progress.phase === "copying" && progress.table === deliveriesTable) {
				// Every row of the account is past RETENTION_DAYS by then; its copy in DB_2 holds events without their deliveries.
				await purgeExpired(env, Date.now() + 40 * DAY_MS);
				purged = true;
			}
			progress = await runStep(env, progress);
		}
		expect(purged).toBe(true);
		// Both events still have a delivery waiting (a retry, a first attempt), so retention keeps them, and each delivery its event.
		expect(await rowsIn("DB_2", "SELECT count(*) AS n FROM events WHERE account_id = ?", accountId)).toEqual([{ n: 2 }]);
		const orphans =
			"SELECT count(*) AS n FROM deliveries d WHERE d.account_id = ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.account_id = d.account_id AND e.id = d.event_id)";
		expect(await rowsIn("DB_2", orphans, accountId)).toEqual([{ n: 0 }]);
		expect(
			await rowsIn("DB_2", "SELECT count(*) AS n FROM deliveries WHERE account_id = ? AND status IN ('new', 'retrying')", accountId),
		).toEqual([{ n: 2 }]);
	});
});

describe("the marker a move leaves", () => {
	/** Rows of the account in the old database, table by table. */
	const leftIn = async (database: TestDatabase, accountId: string) =>
		Object.values(await accountRows(database, accountId)).reduce((sum, table) => sum + table.length, 0);

	it("refuses what reaches the old database after the switch: nothing is written there, and the work goes to the new home", async () => {
		const { accountId } = await busyAccount();
		// This isolate has read acme's placement (DB_1) and keeps it; an event arrives whose message waits in the queue.
		const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		const [waiting] = queue.messages;
		await move("acme", "DB_2");
		await untilMoved(accountId);
		// Ingest with the stale placement: its insert is refused in the same statement.
		const staleScope = accountScope(env, { id: accountId, database: "DB_1" });
		const body = fixture("ticket.created");
		await expect(
			storeEvent(staleScope, readSettings(env), { body, actionType: "ticket.created", ticketId: null, idempotencyKey: null }),
		).rejects.toThrow(/account_moved/);
		// The queued message, read with the stale placement: not sent, sent again shortly, the placement read afresh.
		const { requests } = stubDestination(() => new Response("", { status: 200 }));
		const stale = await runConsumer([waiting]);
		expect(requests).toEqual([]);
		expect(stale.explicitAcks).toContain("msg-0");
		expect(stale.retryMessages).toEqual([]);
		expect(stale.queue.sent.map((entry) => [entry.message, entry.delaySeconds])).toEqual([[waiting, 5]]);
		await runConsumer([waiting]);
		expect(requests.length).toBe(1);
		expect(await rowsIn("DB_2", "SELECT status, attempt_count FROM deliveries WHERE id = ?", waiting.deliveryId)).toEqual([
			{ status: "delivered", attempt_count: 1 },
		]);
		expect(await leftIn("DB_1", accountId)).toBe(0);
		expect(await rowsIn("DB_1", "SELECT count(*) AS n FROM move_changes")).toEqual([{ n: 0 }]);
	});

	it("keeps a retry's count exact across the move: its alarm, with the stale placement, looks again and finds it in the new home", async () => {
		const { accountId } = await busyAccount();
		const [retrying] = await rowsIn<{ id: string }>("DB_1", "SELECT id FROM deliveries WHERE status = 'retrying'");
		await move("acme", "DB_2");
		await untilMoved(accountId);
		await makeDue(retrying.id);
		const first = await runRetryAlarm(retrying.id, { accountId });
		expect(first.queue.messages).toEqual([]);
		const second = await runRetryAlarm(retrying.id, { accountId });
		expect(second.queue.messages.map((message) => message.deliveryId)).toEqual([retrying.id]);
		await runConsumer(second.queue.messages);
		expect(await rowsIn("DB_2", "SELECT status, attempt_count FROM deliveries WHERE id = ?", retrying.id)).toEqual([
			{ status: "retrying", attempt_count: 2 },
		]);
		expect(await rowsIn("DB_2", "SELECT attempt_number FROM attempts WHERE delivery_id = ? ORDER BY seq", retrying.id)).toEqual([
			{ attempt_number: 1 },
			{ attempt_number: 2 },
		]);
		expect(await leftIn("DB_1", accountId)).toBe(0);
	});

	it("while the account is frozen for its switch, answers its ingest and its changes 503 account_moving with Retry-After, storing nothing", async () => {
		await createAccount("acme");
		const accountId = await accountIdOf("acme");
		const endpoint = await createEndpoint("https://good.example/hook", { account: "acme" });
		await databaseBinding("DB_1")
			.prepare("INSERT INTO account_markers (account_id, state, at) VALUES (?, 'frozen', 1)")
			.bind(accountId)
			.run();
		const { response, queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		expect(response.status).toBe(503);
		expect(response.headers.get("retry-after")).toBe("5");
		expect(await json(response)).toMatchObject({ code: "account_moving" });
		expect(queue.messages).toEqual([]);
		expect(await rowsIn("DB_1", "SELECT id FROM events")).toEqual([]);
		const change = await api(`/accounts/acme/endpoints/${endpoint.id}`, { method: "PATCH", body: { url: "https://other.example/hook" } });
		expect(change.status).toBe(503);
		expect(await rowsIn("DB_1", "SELECT url FROM endpoints")).toEqual([{ url: "https://good.example/hook" }]);
	});

	/** acme on DB_1 with one event for one endpoint, its claims stopped (its marker `draining`), the destination stubbed. */
	async function drainingAccount() {
		await createAccount("acme");
		const accountId = await accountIdOf("acme");
		await createEndpoint("https://good.example/hook", { account: "acme" });
		const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		await databaseBinding("DB_1")
			.prepare("INSERT INTO account_markers (account_id, state, at) VALUES (?, 'draining', 1)")
			.bind(accountId)
			.run();
		const { requests } = stubDestination(() => new Response("", { status: 200 }));
		return { queue, requests };
	}

	it("while claims are stopped (draining), answers Retry now 503 account_moving with Retry-After, sending nothing (it takes no claim to wait for)", async () => {
		const { queue, requests } = await drainingAccount();
		const response = await api(`/accounts/acme/deliveries/${queue.messages[0].deliveryId}/retry`, { method: "POST" });
		expect(response.status).toBe(503);
		expect(response.headers.get("retry-after")).toBe("5");
		expect(await json(response)).toMatchObject({ code: "account_moving" });
		expect(requests).toEqual([]);
	});

	it("while claims are stopped (draining), a message of the account is sent again later, its attempt not counted", async () => {
		const { queue, requests } = await drainingAccount();
		const held = await runConsumer(queue.messages);
		expect(requests).toEqual([]);
		expect(held.retryMessages).toEqual([]);
		expect(held.queue.sent.map((entry) => entry.delaySeconds)).toEqual([5]);
		expect(await rowsIn("DB_1", "SELECT attempt_count, claim_id FROM deliveries")).toEqual([{ attempt_count: 0, claim_id: null }]);
	});
});
