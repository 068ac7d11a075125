/**
 * The Cron Trigger's housekeeping, through the real scheduled() handler
 * (src/index.ts): a deleted account's rows go from every table in bounded
 * runs, then its row; spent admin links and ended sessions go; everything
 * else stays exactly as it was.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCOUNT_PURGE_LIMIT } from "../src/accounts/accountDeletion";
import { api } from "./helpers/api";
import {
	createAccount,
	createEndpoint,
	databaseBinding,
	fixture,
	ingest,
	pastRecentAccounts,
	rows,
	rowsEverywhere,
	rowsIn,
	runConsumer,
	runScheduled,
	stubDestination,
} from "./helpers/worker";

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

/** Every table, each with its account column and an order for comparing snapshots. */
const TABLES = {
	accounts: { account: "id", order: "id" },
	endpoints: { account: "account_id", order: "id" },
	events: { account: "account_id", order: "account_id, id" },
	deliveries: { account: "account_id", order: "account_id, id" },
	attempts: { account: "account_id", order: "account_id, delivery_id, seq" },
	audit_log: { account: "account_id", order: "account_id, endpoint_id, id" },
	admin_links: { account: "account_id", order: "token_hash" },
	account_sessions: { account: "account_id", order: "token_hash" },
} as const;
type Table = keyof typeof TABLES;

/** Every row of every table in every database, of the account `accountId` (`in`) or of all the others (`not in`). */
async function snapshot(accountId: string, which: "in" | "not in") {
	const tables = Object.entries(TABLES) as [Table, (typeof TABLES)[Table]][];
	const op = which === "in" ? "=" : "!=";
	return Object.fromEntries(
		await Promise.all(
			tables.map(async ([table, { account, order }]) => [
				table,
				await rowsEverywhere(`SELECT * FROM ${table} WHERE ${account} ${op} ? ORDER BY ${order}`, accountId),
			]),
		),
	) as Record<Table, Record<string, unknown>[]>;
}

async function counts(accountId: string) {
	const all = await snapshot(accountId, "in");
	return Object.fromEntries(Object.entries(all).map(([table, found]) => [table, found.length])) as Record<Table, number>;
}

/** An account with an endpoint (and its audit record) and two delivered events, each with its attempt; its id and database. */
async function populate(uid: string) {
	const { database } = await createAccount(uid);
	await createEndpoint(`https://${uid}.example/hook`, { account: uid });
	for (const type of ["ticket.created", "ticket.answered"]) {
		const { queue } = await ingest(fixture(type), { account: uid });
		await runConsumer(queue.messages);
	}
	const [{ id }] = await rows<{ id: string }>("SELECT id FROM accounts WHERE uid = ? AND deleted_at IS NULL", uid);
	return { id, database };
}

/** A link or session row for `accountId`, straight into D1. */
async function insertAccess(
	table: "admin_links" | "account_sessions",
	accountId: string,
	name: string,
	times: Record<string, number | null>,
) {
	const columns = { token_hash: name, account_id: accountId, read_only: 0, admin: name, created_at: Date.now() - 2 * DAY, ...times };
	await env.DB.prepare(
		`INSERT INTO ${table} (${Object.keys(columns).join(", ")}) VALUES (${Object.keys(columns)
			.map(() => "?")
			.join(", ")})`,
	)
		.bind(...Object.values(columns))
		.run();
}

describe("the cron's housekeeping", () => {
	it("purges a deleted account from every table in bounded runs, spent links and ended sessions, and nothing else", async () => {
		stubDestination(() => new Response("ok"));
		const kept = (await populate("acme")).id;
		const { id: gone, database: goneDatabase } = await populate("gone");
		await createEndpoint("https://default.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		await runConsumer(queue.messages);

		// The deleted account has more attempts than one run purges.
		const [delivery] = await rowsIn<{ id: string }>(goneDatabase, "SELECT id FROM deliveries WHERE account_id = ? LIMIT 1", gone);
		await databaseBinding(goneDatabase)
			.prepare(
				`WITH RECURSIVE n(seq) AS (SELECT 2 UNION ALL SELECT seq + 1 FROM n WHERE seq < ?)
			INSERT INTO attempts (account_id, delivery_id, seq, attempt_number, manual, started_at, duration_ms, status_code, succeeded)
			SELECT ?, ?, seq, NULL, 1, ?, 5, 200, 1 FROM n`,
			)
			.bind(ACCOUNT_PURGE_LIMIT + 200, gone, delivery.id, Date.now())
			.run();
		await insertAccess("admin_links", gone, "gone-link", { expires_at: Date.now() + HOUR, used_at: null });
		await insertAccess("account_sessions", gone, "gone-session", { expires_at: Date.now() + HOUR });
		const before = await counts(gone);
		for (const [table, n] of Object.entries(before)) expect(n, table).toBeGreaterThan(0);
		// Its deliveries' own successes are kept on their rows (deliveries.ok_…), not counted here.
		expect(before.attempts).toBe(ACCOUNT_PURGE_LIMIT + 199);
		expect((await api("/accounts/gone", { method: "DELETE" })).status).toBe(204);
		await pastRecentAccounts();

		// A live account's links and sessions: live, and spent for more or less than a day.
		const now = Date.now();
		await insertAccess("admin_links", kept, "link-live", { expires_at: now + HOUR, used_at: null });
		await insertAccess("admin_links", kept, "link-used-lately", { expires_at: now - HOUR, used_at: now - HOUR });
		await insertAccess("admin_links", kept, "link-expired-lately", { expires_at: now - HOUR, used_at: null });
		await insertAccess("admin_links", kept, "link-used-long-ago", { expires_at: now - 2 * DAY, used_at: now - 2 * DAY + 1000 });
		await insertAccess("admin_links", kept, "link-expired-long-ago", { expires_at: now - 2 * DAY, used_at: null });
		await insertAccess("account_sessions", kept, "session-live", { expires_at: now + HOUR });
		await insertAccess("account_sessions", kept, "session-ended", { expires_at: now - 1000 });
		const others = await snapshot(gone, "not in");
		const spent = new Set(["link-used-long-ago", "link-expired-long-ago", "session-ended"]);
		const expected = {
			...others,
			admin_links: others.admin_links.filter((row) => !spent.has(row.token_hash as string)),
			account_sessions: others.account_sessions.filter((row) => !spent.has(row.token_hash as string)),
		};
		expect(expected.admin_links.map((row) => row.token_hash)).toEqual(["link-expired-lately", "link-live", "link-used-lately"]);
		expect(expected.account_sessions.map((row) => row.token_hash)).toEqual(["session-live"]);

		// The first run purges up to ACCOUNT_PURGE_LIMIT rows of each table: the account stays for the rest.
		await runScheduled();
		expect(await counts(gone)).toEqual({
			accounts: 1,
			endpoints: 0,
			events: 0,
			deliveries: 0,
			attempts: 199,
			audit_log: 0,
			admin_links: 0,
			account_sessions: 0,
		});
		expect(await snapshot(gone, "not in")).toEqual(expected);

		// The next run purges the rest, then the account's row.
		await runScheduled();
		for (const [table, n] of Object.entries(await counts(gone))) expect(n, table).toBe(0);
		expect(await snapshot(gone, "not in")).toEqual(expected);
	});
});
