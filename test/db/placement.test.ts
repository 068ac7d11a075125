/**
 * Where accounts go (db/placement.ts): the tests bind DB, DB_1 and DB_2, and
 * each new account goes to the bound one with the fewest live accounts (the
 * first of DB, DB_1, DB_2 on a tie); the directory records it and the API
 * shows it. The consumer and the retry alarms, which know only an account's
 * id, ask the directory once per account and isolate.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { databaseNames } from "../../src/db/client";
import { api, json } from "../helpers/api";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import {
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	makeDue,
	rows,
	runConsumer,
	runRetryAlarm,
	stubDestination,
	TEST_DATABASES,
} from "../helpers/worker";

/** The directory's reads of accounts among `recorded`. */
const directoryReads = (recorded: RecordedStatement[]) => recorded.filter(({ sql }) => /^select .* from "accounts"/i.test(sql));

describe("the databases a Worker binds", () => {
	it("are DB and each DB_n bound to a D1 database, in order of n", () => {
		const d1 = env.DB_1;
		const bindings = { DB_10: d1, DB: d1, DB_2: d1, DB_1: d1, DB_3: undefined, DB_X: d1, DBS: d1, MIGRATION_TEST_DB: d1, DB_4: "DB_4" };
		expect(databaseNames(bindings as unknown as Env)).toEqual(["DB", "DB_1", "DB_2", "DB_10"]);
	});
});

describe("placing new accounts", () => {
	it("spreads 30 new accounts over all three databases, each to the one with the fewest live accounts", async () => {
		const placed: string[] = [];
		for (let i = 0; i < 30; i++) placed.push((await createAccount(`shop-${String(i).padStart(2, "0")}`)).database);
		// The default account is on DB: the first new one goes to DB_1, the next to DB_2, then all three hold as many.
		expect(placed).toEqual(Array.from({ length: 10 }, () => ["DB_1", "DB_2", "DB"]).flat());
		expect(new Set(placed)).toEqual(new Set(TEST_DATABASES));
		// The directory records each choice; the default account, placed before there were several, has none: DB, as the
		// operator's own account (not counted among the live accounts: it is not the helpdesk's).
		const recorded = await rows<{ uid: string; database: string | null }>("SELECT uid, database FROM accounts ORDER BY uid");
		expect(recorded).toEqual([
			{ uid: "_operator", database: null },
			{ uid: "default", database: null },
			...placed.map((database, i) => ({ uid: `shop-${String(i).padStart(2, "0")}`, database })),
		]);
	});

	it("counts live accounts only: a deleted account's place is taken again", async () => {
		for (const uid of ["a", "b", "c"]) await createAccount(uid);
		expect((await api("/accounts/b", { method: "DELETE" })).status).toBe(204);
		expect((await createAccount("d")).database).toBe("DB_2");
	});

	it("places every account on DB in a deployment that binds DB only, without counting", async () => {
		const recorded: RecordedStatement[] = [];
		const onlyDb = { DB: recordingDatabase(recorded), DB_1: undefined, DB_2: undefined } as unknown as Partial<Env>;
		const created = await api("/accounts/acme", { method: "PUT", body: {}, env: onlyDb });
		expect(created.status).toBe(201);
		expect(await json(created)).toMatchObject({ database: "DB" });
		expect(recorded.map(({ sql }) => sql).filter((sql) => /group by/i.test(sql))).toEqual([]);
	});

	it("shows each account's database in GET /api/accounts and GET /api/accounts/{uid}", async () => {
		await createAccount("acme");
		await createAccount("beta");
		const list = await json<{ accounts: { uid: string; database: string }[] }>(await api("/accounts"));
		expect(list.accounts.map(({ uid, database }) => ({ uid, database }))).toEqual([
			{ uid: "acme", database: "DB_1" },
			{ uid: "beta", database: "DB_2" },
			{ uid: "default", database: "DB" },
		]);
		expect(await json(await api("/accounts/beta"))).toMatchObject({ uid: "beta", database: "DB_2" });
		expect(await json(await api("/accounts/default"))).toMatchObject({ uid: "default", database: "DB" });
	});
});

describe("finding an account's database from its id", () => {
	it("reads the directory once per account in the consumer and the retry alarms, then remembers it", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createAccount("acme");
		await createEndpoint("https://acme.example/hook", { account: "acme" });
		const first = await ingest(fixture("ticket.created"), { account: "acme" });
		const second = await ingest(fixture("ticket.answered"), { account: "acme" });
		const reads = async (run: (DB: D1Database) => Promise<unknown>) => {
			const recorded: RecordedStatement[] = [];
			await run(recordingDatabase(recorded));
			return directoryReads(recorded).length;
		};
		expect(await reads((DB) => runConsumer(first.queue.messages, { env: { DB } }))).toBe(1);
		expect(await reads((DB) => runConsumer(second.queue.messages, { env: { DB } }))).toBe(0);
		const [{ deliveryId, accountId }] = first.queue.messages;
		await makeDue(deliveryId);
		expect(await reads(async (DB) => expect((await runRetryAlarm(deliveryId, { accountId, env: { DB } })).ran).toBe(true))).toBe(0);
	});
});
