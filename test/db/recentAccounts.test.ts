/**
 * Ingest trusts an account it found a moment ago (db/directory.ts, RECENT_ACCOUNT_MS) instead of reading the
 * directory for every event: one read per account and second, a uid not found looked up every time, a write its move
 * refused forgetting it, and the purge of a deleted account waiting until no isolate can still trust it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeDeletedAccounts } from "../../src/accounts/accountDeletion";
import { findRecentLiveAccount, RECENT_ACCOUNT_MS } from "../../src/db/directory";
import { api, json } from "../helpers/api";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	databaseBinding,
	fixture,
	ingest,
	rows,
	rowsIn,
	type TestDatabase,
} from "../helpers/worker";

/** Directory reads of `uid` made by findRecentLiveAccount at each of `times`. */
async function readsAt(uid: string, times: number[]): Promise<number> {
	const recorded: RecordedStatement[] = [];
	const recording = { ...env, DB: recordingDatabase(recorded, env.DB) };
	for (const now of times) await findRecentLiveAccount(recording, uid, now);
	return recorded.filter(({ sql }) => /from "accounts"/i.test(sql)).length;
}

describe("the accounts ingest has found lately", () => {
	it("are read from the directory once per RECENT_ACCOUNT_MS, and a uid not found every time", async () => {
		await createAccount("acme");
		const start = Date.now();
		expect(await readsAt("acme", [start, start + 1, start + RECENT_ACCOUNT_MS - 1])).toBe(1);
		expect(await readsAt("acme", [start + RECENT_ACCOUNT_MS])).toBe(1);
		expect(await readsAt("nobody", [start, start + 1])).toBe(2);
	});

	it("are forgotten once a move refuses the write: the next request takes the event in the account's new database", async () => {
		await createAccount("acme");
		const accountId = await accountIdOf("acme");
		const database = (await rows<{ database: string }>("SELECT database FROM accounts WHERE id = ?", accountId))[0].database;
		const elsewhere = database === "DB_1" ? "DB_2" : "DB_1";
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(202);
		// The switch of a move, as moveSteps.ts leaves it: the directory names the new database, the old one a marker.
		await env.DB.prepare("UPDATE accounts SET database = ? WHERE id = ?").bind(elsewhere, accountId).run();
		await databaseBinding(database as TestDatabase)
			.prepare("INSERT INTO account_markers (account_id, state, at) VALUES (?, 'moved', ?)")
			.bind(accountId, Date.now())
			.run();
		const refused = await ingest(fixture("ticket.created"), { account: "acme" });
		expect(refused.response.status).toBe(503);
		expect(await json(refused.response)).toMatchObject({ code: "account_moving" });
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(202);
		expect(await rowsIn(elsewhere, "SELECT count(*) AS n FROM events WHERE account_id = ?", accountId)).toEqual([{ n: 1 }]);
	});

	it("are forgotten when their uid is created again, so its events go to the new account", async () => {
		await createAccount("acme");
		const deleted = await accountIdOf("acme");
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(202);
		// Deleted through another isolate: this one still trusts the old account.
		await env.DB.prepare("UPDATE accounts SET deleted_at = ? WHERE id = ?").bind(Date.now(), deleted).run();
		await createAccount("acme");
		expect((await ingest(fixture("ticket.created"), { account: "acme" })).response.status).toBe(202);
		expect((await json<{ events: unknown[] }>(await api("/accounts/acme/events"))).events).toHaveLength(1);
	});

	it("keep a deleted account from the purge until RECENT_ACCOUNT_MS after its delete", async () => {
		await createAccount("acme");
		await createEndpoint("https://acme.example/hook", { account: "acme" });
		expect((await api("/accounts/acme", { method: "DELETE" })).status).toBe(204);
		const [{ deleted_at: deletedAt }] = await rows<{ deleted_at: number }>("SELECT deleted_at FROM accounts WHERE uid = 'acme'");
		expect(await purgeDeletedAccounts(env, deletedAt + RECENT_ACCOUNT_MS - 1)).toBe(0);
		expect(await purgeDeletedAccounts(env, deletedAt + RECENT_ACCOUNT_MS)).toBe(1);
	});
});
