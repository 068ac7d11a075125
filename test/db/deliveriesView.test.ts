/**
 * The view that stands in for the table `deliveries` in the tests (helpers/deliveriesView.ts): a row written through
 * it is read back as written, from deliveries_v2; what deliveries_v2 cannot hold is refused, not changed; writes meet
 * the account-move guards the table's triggers had.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { idFloor } from "../../src/lib/ids";
import { accountIdOf, createAccount, createEndpoint, rows } from "../helpers/worker";

const COLUMNS = [
	"account_id",
	"id",
	"event_id",
	"endpoint_id",
	"status",
	"attempt_count",
	"next_attempt_at",
	"claim_id",
	"lease_until",
	"created_at",
	"updated_at",
	"ok_seq",
	"ok_started_at",
	"ok_duration_ms",
	"ok_status_code",
	"ok_response",
];

const insert = (row: Record<string, unknown>) =>
	env.DB.prepare(
		`INSERT INTO deliveries (${Object.keys(row).join(", ")}) VALUES (${Object.keys(row)
			.map(() => "?")
			.join(", ")})`,
	)
		.bind(...Object.values(row))
		.run();

/** A delivery made at `at` as Hivepost makes them, every column set; `hex` tells it from others of its millisecond. */
function delivery(endpointId: string, at: number, hex = "1") {
	return {
		account_id: "acc_default",
		id: `${idFloor("dlv", at)}${hex.repeat(16)}`,
		event_id: `${idFloor("evt", at)}${"2".repeat(16)}`,
		endpoint_id: endpointId,
		status: "retrying",
		attempt_count: 2,
		next_attempt_at: at + 60_000,
		claim_id: `clm_${"3".repeat(28)}`,
		lease_until: at + 30_000,
		created_at: at,
		updated_at: at + 5,
		ok_seq: null,
		ok_started_at: null,
		ok_duration_ms: null,
		ok_status_code: null,
		ok_response: null,
	};
}

describe("the view deliveries, in place of the table", () => {
	it("has the table's columns in its order, and reads a row back as it was written, from deliveries_v2", async () => {
		expect((await rows<{ name: string }>("SELECT name FROM pragma_table_info('deliveries')")).map((column) => column.name)).toEqual(
			COLUMNS,
		);
		const { id: endpointId } = await createEndpoint("https://a.example/hook");
		await createAccount("acme");
		const at = Date.now();
		// Of the default account (its id kept as text), and of one whose id is hex (kept as bytes), its event made in another millisecond.
		const own = delivery(endpointId, at);
		const other = {
			...delivery("ep_elsewhere", at, "4"),
			account_id: await accountIdOf("acme"),
			event_id: `${idFloor("evt", at - 1)}${"5".repeat(16)}`,
			status: "delivered",
			claim_id: null,
			ok_seq: 1,
			ok_started_at: at,
			ok_duration_ms: 12,
			ok_status_code: 200,
			ok_response: "ok",
		};
		for (const row of [own, other]) await insert(row);
		expect(await rows("SELECT * FROM deliveries ORDER BY id")).toEqual([own, other]);
		expect(await rows("SELECT typeof(account_id) AS account, length(event) AS event, status FROM deliveries_v2 ORDER BY id")).toEqual([
			{ account: "text", event: 8, status: 2 },
			{ account: "blob", event: 14, status: 3 },
		]);
		// The endpoint from elsewhere was given a key, as 0014's trigger gives one.
		expect(await rows("SELECT key FROM endpoint_keys WHERE endpoint_id = 'ep_elsewhere'")).toEqual([{ key: 2 }]);

		await env.DB.prepare("UPDATE deliveries SET status = 'pending', claim_id = NULL, attempt_count = 3 WHERE id = ?").bind(own.id).run();
		expect(await rows("SELECT status, claim_id, attempt_count FROM deliveries WHERE id = ?", own.id)).toEqual([
			{ status: "pending", claim_id: null, attempt_count: 3 },
		]);
		await env.DB.prepare("DELETE FROM deliveries WHERE id = ?").bind(own.id).run();
		expect(await rows("SELECT count(*) AS n FROM deliveries_v2")).toEqual([{ n: 1 }]);
	});

	it("refuses what deliveries_v2 cannot hold as written, and a change of what it keeps in the key", async () => {
		const { id: endpointId } = await createEndpoint("https://a.example/hook");
		const at = Date.now();
		const row = delivery(endpointId, at);
		for (const [change, refusal] of [
			[{ id: "dlv_odd" }, /id not dlv_/],
			[{ id: `dlv_${"AB".repeat(14)}` }, /id not dlv_/],
			[{ event_id: "evt_1" }, /event_id not/],
			[{ created_at: at - 1 }, /created_at not the millisecond/],
			[{ status: "paused" }, /status not/],
			[{ claim_id: "clm_dead_beef" }, /claim_id not/],
		] as const)
			await expect(insert({ ...row, ...change }), JSON.stringify(change)).rejects.toThrow(refusal);
		expect(await rows("SELECT count(*) AS n FROM deliveries_v2")).toEqual([{ n: 0 }]);

		await insert(row);
		for (const change of ["created_at = created_at - 1", "endpoint_id = 'ep_other'", "event_id = 'evt_1'", "id = 'dlv_1'"])
			await expect(env.DB.prepare(`UPDATE deliveries SET ${change}`).run(), change).rejects.toThrow(/cannot be changed/);
		await expect(env.DB.prepare("UPDATE deliveries SET claim_id = 'clm_live'").run()).rejects.toThrow(/claim_id not/);
		expect(await rows("SELECT * FROM deliveries")).toEqual([row]);
	});

	it("meets the guards of an account being moved that deliveries_v2 has (migration 0015), as the table met 0011's", async () => {
		const { id: endpointId } = await createEndpoint("https://a.example/hook");
		const row = delivery(endpointId, Date.now());
		await env.DB.prepare("INSERT INTO account_markers (account_id, state, at) VALUES ('acc_default', 'copying', 1)").run();
		await insert(row);
		await env.DB.prepare("UPDATE deliveries SET attempt_count = 3").run();
		await env.DB.prepare("DELETE FROM deliveries").run();
		expect(await rows("SELECT table_name, row_key FROM move_changes")).toEqual(
			Array.from({ length: 3 }, () => ({ table_name: "deliveries_v2", row_key: JSON.stringify([endpointId, row.id]) })),
		);
		await env.DB.prepare("UPDATE account_markers SET state = 'frozen'").run();
		await expect(insert(row)).rejects.toThrow(/account_moving/);
	});
});
