/**
 * Every path finds the account's database (db/client.ts): with one account
 * on each of the three test databases (the default account on DB, acme on
 * DB_1, beta on DB_2), each account's rows are in its own database only,
 * ingest → delivery → retry → log works on each, and the sweep and
 * retention visit each. An account whose database is no longer bound answers
 * 503 naming the binding, and the work no request waits for leaves it alone.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { purgeDeletedAccounts } from "../../src/accounts/accountDeletion";
import { readSettings } from "../../src/config";
import { purgeExpired } from "../../src/db/retention";
import { MAX_BODY_BYTES } from "../../src/http/bodyLimit";
import { sweep } from "../../src/retry/sweep";
import { api, json } from "../helpers/api";
import { IS_TABLE } from "../helpers/deliveriesView";
import { ORIGIN, page } from "../helpers/pages";
import {
	alarmTime,
	createAccount,
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	makeDue,
	pastRecentAccounts,
	recordingQueues,
	request,
	rows,
	rowsIn,
	runConsumer,
	runRetryAlarm,
	stubDestination,
	TEST_DATABASES,
	type TestDatabase,
	testEnv,
} from "../helpers/worker";

const settings = readSettings(env);

/** The directory's tables: in DB only. Every other table holds account data, keyed by account_id, but a move's own. */
const DIRECTORY_TABLES = ["accounts", "admin_links", "account_sessions", "signed_ingest_ids", "cron_runs"];

/** A move's progress (in DB), and its marker and change log in each database (test/accounts/accountMove.test.ts): empty at rest here. */
const MOVE_TABLES = ["account_markers", "account_moves", "move_changes"];

interface PlacedAccount {
	uid: string;
	id: string;
	database: TestDatabase;
}

/** The default account (on DB), acme (placed on DB_1) and beta (on DB_2). */
async function oneAccountPerDatabase(): Promise<PlacedAccount[]> {
	const placed = [{ uid: "default", database: "DB" as TestDatabase }];
	for (const uid of ["acme", "beta"]) placed.push({ uid, database: (await createAccount(uid)).database });
	expect(placed.map((account) => account.database)).toEqual(TEST_DATABASES);
	const ids = await rows<{ id: string; uid: string }>("SELECT id, uid FROM accounts");
	return placed.map((account) => ({ ...account, id: ids.find((row) => row.uid === account.uid)?.id ?? "" }));
}

/** An endpoint of `account` (with its audit record), and one event for it: its delivery's message. */
async function eventFor(account: PlacedAccount) {
	await createEndpoint(`https://${account.uid}.example/hook`, { account: account.uid });
	const { response, queue } = await ingest(fixture("ticket.created"), { account: account.uid });
	expect(response.status).toBe(202);
	const [message] = queue.messages;
	return message;
}

/** Opens a portal session of `uid` through a minted admin link: the cookie. */
async function portalSession(uid: string): Promise<string> {
	const link = new URL((await json<{ url: string }>(await api(`/accounts/${uid}/admin-links`, { method: "POST", body: {} }))).url);
	const opened = await page(`${link.pathname}${link.search}`);
	return /hivepost_portal=[^;]+/.exec(opened.headers.get("set-cookie") ?? "")?.[0] ?? "";
}

describe("one account on each database", () => {
	it("keeps each account's rows in its own database, in every table, and the directory's in DB", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		const accounts = await oneAccountPerDatabase();
		for (const account of accounts) {
			await runConsumer([await eventFor(account)]);
			expect(await portalSession(account.uid)).not.toBe("");
		}
		const tables = (
			await rows<{ name: string }>(
				`SELECT name FROM sqlite_master WHERE ${IS_TABLE} AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name != 'd1_migrations' ORDER BY name`,
			)
		).map((row) => row.name);
		const accountTables = tables.filter((table) => ![...DIRECTORY_TABLES, ...MOVE_TABLES].includes(table));
		// Every table is one or the other: a new table has to be placed here.
		expect(accountTables).toEqual([
			"attempts",
			"audit_log",
			"deliveries",
			"deliveries_v2",
			"endpoint_keys",
			"endpoints",
			"events",
			"operational_outbox",
		]);
		// deliveries_v2 holds an account id of the usual form as its bytes.
		const holdersOf = (table: string) =>
			table === "deliveries_v2"
				? "SELECT DISTINCT CASE typeof(account_id) WHEN 'blob' THEN 'acc_' || lower(hex(account_id)) ELSE account_id END AS account_id FROM deliveries_v2"
				: `SELECT DISTINCT account_id FROM ${table}`;
		// The outbox holds an account's operational messages only until they are stored in DB (empty at rest).
		for (const table of accountTables.filter((name) => name !== "operational_outbox")) {
			for (const database of TEST_DATABASES) {
				const holders = await rowsIn<{ account_id: string }>(database, holdersOf(table));
				const own = accounts.filter((account) => account.database === database).map((account) => account.id);
				expect(
					holders.map((row) => row.account_id),
					`${table} in ${database}`,
				).toEqual(own);
			}
		}
		const ids = accounts.map((account) => account.id).sort();
		expect((await rows<{ id: string }>("SELECT id FROM accounts WHERE id != 'acc_operator' ORDER BY id")).map((row) => row.id)).toEqual(
			ids,
		);
		for (const table of ["admin_links", "account_sessions"]) {
			expect(
				(await rows<{ account_id: string }>(`SELECT DISTINCT account_id FROM ${table} ORDER BY account_id`)).map((row) => row.account_id),
			).toEqual(ids);
		}
		for (const database of ["DB_1", "DB_2"] as const) {
			// The migrations create the default account's and the operator's rows in every database; nothing else of the directory is there.
			expect(await rowsIn(database, "SELECT id FROM accounts ORDER BY id")).toEqual([{ id: "acc_default" }, { id: "acc_operator" }]);
			for (const table of DIRECTORY_TABLES.slice(1))
				expect(await rowsIn(database, `SELECT * FROM ${table}`), `${table} in ${database}`).toEqual([]);
		}
	});

	it("ingests, delivers, retries and logs on each database", async () => {
		const answered = new Set<string>();
		// Each endpoint fails its first request and takes the second.
		const destination = stubDestination(({ url }) => {
			const first = !answered.has(url);
			answered.add(url);
			return new Response(null, { status: first ? 500 : 200 });
		});
		for (const account of await oneAccountPerDatabase()) {
			const message = await eventFor(account);
			await runConsumer([message]);
			expect(await rowsIn(account.database, "SELECT status FROM deliveries WHERE id = ?", message.deliveryId)).toEqual([
				{ status: "retrying" },
			]);
			expect(await alarmTime(message.deliveryId, { accountId: account.id })).not.toBeNull();
			await makeDue(message.deliveryId);
			const alarm = await runRetryAlarm(message.deliveryId, { accountId: account.id });
			// A quick failure retries on the main lane (fair share: its endpoint is not isolated, its account not bursting).
			expect(alarm.queue.sent.map(({ lane, message }) => ({ lane, message }))).toEqual([{ lane: "main", message }]);
			await runConsumer(alarm.queue.messages, { lane: "main" });
			const logged = await json<{ status: string; attempts: { status_code: number }[] }>(
				await api(`/accounts/${account.uid}/deliveries/${message.deliveryId}`),
			);
			expect(logged, account.database).toMatchObject({ status: "delivered", attempts: [{ status_code: 500 }, { status_code: 200 }] });
		}
		expect(destination.requests).toHaveLength(6);
	});

	it("is visited by the sweep and by retention, each database", async () => {
		stubDestination(() => new Response("ok"));
		const accounts = await oneAccountPerDatabase();
		// Each event's queue message is lost: only the sweep can take its delivery up.
		const lost = [];
		for (const account of accounts) lost.push(await eventFor(account));
		const queue = recordingQueues();
		expect(await sweep(testEnv(queue), Date.now() + settings.strandedAfterMs + 1)).toEqual({ requeued: 3, failed: 0 });
		expect(new Set(queue.messages)).toEqual(new Set(lost));
		await runConsumer(queue.messages);
		for (const { deliveryId } of lost) expect((await deliveryRow(deliveryId)).status).toBe("delivered");

		expect(await purgeExpired(env, Date.now() + settings.retentionMs + 1000)).toEqual({ deliveries: 3, events: 3 });
		for (const database of TEST_DATABASES) {
			for (const table of ["events", "deliveries", "attempts"])
				expect(await rowsIn(database, `SELECT * FROM ${table}`), `${table} in ${database}`).toEqual([]);
		}
	});
});

describe("an account whose database is no longer bound", () => {
	/** The Worker deployed without DB_2's block. */
	const withoutDb2 = { DB_2: undefined } as unknown as Partial<Env>;
	const namesDb2 = { code: "not_configured", error: expect.stringContaining("database DB_2, which is not bound") };

	it("answers 503 naming the binding on its ingest, API, pages and portal, and changes nothing", async () => {
		const [, , beta] = await oneAccountPerDatabase();
		const endpoint = await createEndpoint("https://beta.example/hook", { account: "beta" });
		const cookie = await portalSession("beta");
		const links = await rows("SELECT token_hash FROM admin_links WHERE account_id = ?", beta.id);
		const { response: ingested, queue } = await ingest(fixture("ticket.created"), { account: "beta", env: withoutDb2 });
		expect(ingested.status).toBe(503);
		expect(await ingested.json()).toMatchObject(namesDb2);
		expect(queue.batches).toEqual([]);
		// The route is closed before the request is read: what it sends does not matter.
		const unreadable = await ingest("not an event", { account: "beta", env: withoutDb2 });
		expect(unreadable.response.status).toBe(503);
		for (const [path, method, body] of [
			["/accounts/beta", "GET"],
			["/accounts/beta", "DELETE"],
			["/accounts/beta/endpoints", "GET"],
			["/accounts/beta/endpoints", "POST", { url: 5 }],
			[`/accounts/beta/endpoints/${endpoint.id}`, "DELETE"],
			["/accounts/beta/stats", "GET"],
			// No link into a portal that could only answer 503.
			["/accounts/beta/admin-links", "POST", {}],
		] as const) {
			const response = await api(path, { method, body, env: withoutDb2 });
			expect(response.status, `${method} ${path}`).toBe(503);
			expect(await json(response)).toMatchObject(namesDb2);
		}
		const form = (body: string) => ({
			method: "POST",
			body,
			headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
		});
		// A form past its size limit too: closed before the limit is looked at.
		const oversized = { method: "POST", body: "x".repeat(MAX_BODY_BYTES.updateApp + 1), headers: { origin: ORIGIN, cookie } };
		for (const [path, init] of [
			["/admin/accounts/beta", {}],
			[`/admin/accounts/beta/endpoints/${endpoint.id}`, {}],
			["/portal", { headers: { cookie } }],
			["/portal/webhooks", oversized],
			["/admin/accounts/beta/admin-link", form("read_only=no")],
			// No move from a database there is nothing to copy from: refused before its confirmation.
			["/admin/accounts/beta/move", form("database=DB")],
		] as const) {
			const response = await page(path, init, { env: withoutDb2 });
			expect(response.status, path).toBe(503);
			expect(await response.text(), path).toContain("database DB_2, which is not bound");
		}
		expect(await rowsIn("DB_2", "SELECT id FROM events")).toEqual([]);
		expect(await rowsIn("DB_2", "SELECT deleted_at FROM endpoints")).toEqual([{ deleted_at: null }]);
		expect(await rows("SELECT deleted_at FROM accounts WHERE id = ?", beta.id)).toEqual([{ deleted_at: null }]);
		expect(await rows("SELECT token_hash FROM admin_links WHERE account_id = ?", beta.id)).toEqual(links);
	});

	it("is listed without counts, and missing from the databases; new accounts go to the bound databases", async () => {
		await oneAccountPerDatabase();
		const list = await json<{ accounts: Record<string, unknown>[] }>(await api("/accounts", { env: withoutDb2 }));
		expect(list.accounts.find((account) => account.uid === "beta")).toMatchObject({ database: "DB_2", endpoints: null, health: null });
		expect(list.accounts.find((account) => account.uid === "acme")).toMatchObject({ database: "DB_1", endpoints: 0 });
		const html = await (await page("/admin/accounts", {}, { env: withoutDb2 })).text();
		expect(html).toContain(
			'<td data-label="Endpoints">—</td><td data-label="Health">— (database not bound)</td><td data-label="Database"><code>DB_2</code></td>',
		);
		expect(html).toContain("<td><code>DB_1</code></td>");
		expect(html).not.toContain("<td><code>DB_2</code></td>");
		// DB, DB_1 and DB_2 hold one each: with DB_2 bound it would be next; without, the first of the others.
		const created = await request(
			"/api/accounts/gamma",
			{ method: "PUT", headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } },
			{ env: withoutDb2 },
		);
		expect(await json(created.response)).toMatchObject({ database: "DB" });
	});

	it("is left alone by the consumer, its retry alarm and the sweep, logged, while the others' work goes on", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const [, acme, beta] = await oneAccountPerDatabase();
		const acmeMessage = await eventFor(acme);
		const betaMessage = await eventFor(beta);
		const failing = await ingest(fixture("ticket.answered"), { account: "beta" });
		await runConsumer(failing.queue.messages);
		const retrying = failing.queue.messages[0].deliveryId;
		await makeDue(retrying);
		destination.requests.length = 0;
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});

		const consumed = await runConsumer([acmeMessage, betaMessage], { env: withoutDb2 });
		expect(consumed.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		expect(destination.requests.map((request) => request.url)).toEqual(["https://acme.example/hook"]);
		expect((await deliveryRow(betaMessage.deliveryId)).attempt_count).toBe(0);

		const alarm = await runRetryAlarm(retrying, { accountId: beta.id, env: withoutDb2 });
		expect(alarm).toMatchObject({ ran: true, queue: { sent: [] } });
		expect(await alarmTime(retrying, { accountId: beta.id })).toBeNull();
		expect(await deliveryRow(retrying)).toMatchObject({ status: "retrying", attempt_count: 1 });

		const later = Date.now() + settings.strandedAfterMs + 1;
		const swept = recordingQueues();
		expect(await sweep(testEnv(swept, withoutDb2), later)).toEqual({ requeued: 0, failed: 0 });
		const unbound = logged.mock.calls.map(([line]) => JSON.parse(String(line))).filter((line) => line.event === "account_database_unbound");
		expect(unbound).toEqual([
			expect.objectContaining({ database: "DB_2", lane: "main", messages: 1 }),
			expect.objectContaining({ database: "DB_2", account_id: beta.id, delivery_id: retrying }),
		]);

		// Bound again, the sweep takes up both: the message acked above, and the retry its alarm left.
		const back = recordingQueues();
		expect(await sweep(testEnv(back), later)).toEqual({ requeued: 2, failed: 0 });
		expect(back.messages.map((message) => message.deliveryId).sort()).toEqual([betaMessage.deliveryId, retrying].sort());
	});

	it("waits to be purged once deleted, without holding up the others", async () => {
		const [, acme, beta] = await oneAccountPerDatabase();
		for (const account of [acme, beta]) await eventFor(account);
		for (const uid of ["acme", "beta"]) expect((await api(`/accounts/${uid}`, { method: "DELETE" })).status).toBe(204);
		await pastRecentAccounts();
		expect(await purgeDeletedAccounts(testEnv(recordingQueues(), withoutDb2))).toBe(1);
		expect((await rows<{ id: string }>("SELECT id FROM accounts WHERE deleted_at IS NOT NULL")).map((row) => row.id)).toEqual([beta.id]);
		expect(await rowsIn("DB_2", "SELECT id FROM events")).toHaveLength(1);
		expect(await rowsIn("DB_2", "SELECT key FROM endpoint_keys")).toHaveLength(1);
		expect(await purgeDeletedAccounts(env)).toBe(1);
		expect(await rowsIn("DB_2", "SELECT id FROM events")).toEqual([]);
		// The key its deliveries' copies were written with goes with them.
		expect(await rowsIn("DB_2", "SELECT key FROM endpoint_keys")).toEqual([]);
		expect(await rows("SELECT id FROM accounts WHERE deleted_at IS NOT NULL")).toEqual([]);
	});
});
