/**
 * deliveries_v2 as the code writes and reads it (db/columns.ts, keyedSchema.ts): its ids stored as bytes, its endpoint
 * as a small key, its status as a number; through Drizzle its ids come back as text ids (as the test view `deliveries`
 * spells them in SQL: test/helpers/deliveriesView.ts), its status as the status's name, and a text id bound against
 * its columns finds the row stored as bytes (an account id of another form, as `acc_default`, as its text).
 */
import { env } from "cloudflare:workers";
import { and, asc, eq, gte, lt, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { directoryDatabase } from "../../src/db/client";
import { deliveriesV2 } from "../../src/db/keyedSchema";
import { idFloor } from "../../src/lib/ids";
import {
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	recordingQueues,
	rows,
	rowsIn,
	runConsumer,
	stubDestination,
	testEnv,
} from "../helpers/worker";

const db = () => directoryDatabase(env);

describe("deliveries_v2 read and matched through Drizzle", () => {
	it("stores the ids as bytes (an account id of another form as text), the endpoint as a small key, the status as a number", async () => {
		stubDestination(() => new Response("ok"));
		await createEndpoint("https://a.example/hook");
		const queue = recordingQueues();
		await ingest(fixture("ticket.created"), { env: testEnv(queue) });
		await runConsumer(queue.messages);
		const stored = () =>
			rows<{ account: number | string; id: number; event: number; endpoint_key: number; status: number }>(
				`SELECT CASE typeof(account_id) WHEN 'blob' THEN length(account_id) ELSE account_id END AS account, length(id) AS id,
				length(event) AS event, endpoint_key, status FROM deliveries_v2 ORDER BY endpoint_key DESC LIMIT 1`,
			);
		// Delivered; `acc_default` is not hex; its event's 8 random bytes (it was made in the event's millisecond).
		expect(await stored()).toEqual([{ account: "acc_default", id: 14, event: 8, endpoint_key: 1, status: 3 }]);
		// An account made through the API has a hex id: its 14 bytes.
		await createAccount("acme");
		await createEndpoint("https://b.example/hook", { account: "acme" });
		await ingest(fixture("ticket.created"), { account: "acme" });
		expect(await rowsIn("DB_1", "SELECT length(account_id) AS account, endpoint_key, status FROM deliveries_v2")).toEqual([
			{ account: 14, endpoint_key: 1, status: 0 },
		]);
	});

	it("gives back each delivery's account, id, status and claim as deliveries holds them", async () => {
		stubDestination(() => new Response("ok"));
		await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const queue = recordingQueues();
		for (let i = 0; i < 2; i++) await ingest(fixture("ticket.created"), { env: testEnv(queue) });
		await runConsumer(queue.messages.slice(0, 2));
		await rows("UPDATE deliveries SET claim_id = 'clm_' || lower(hex(randomblob(14))) WHERE id = (SELECT max(id) FROM deliveries)");
		const asStored = (await rows<Record<string, string | null>>("SELECT account_id, id, status, claim_id FROM deliveries ORDER BY id")).map(
			(row) => ({ accountId: row.account_id, id: row.id, status: row.status, claimId: row.claim_id }),
		);
		const asCopied = await db()
			.select({ accountId: deliveriesV2.accountId, id: deliveriesV2.id, status: deliveriesV2.status, claimId: deliveriesV2.claimId })
			.from(deliveriesV2)
			.orderBy(asc(deliveriesV2.id));
		expect(asCopied).toEqual(asStored);
		expect(new Set(asStored.map((row) => row.status))).toEqual(new Set(["delivered", "new"]));
		expect(asStored.filter((row) => row.claimId !== null)).toHaveLength(1);
	});

	it("finds a row by its text ids (an account's of either form), a range of ids by their floor, and nothing for an id of another form", async () => {
		await createEndpoint("https://a.example/hook");
		await ingest(fixture("ticket.created"));
		// A second row, of an account with a hex id (stored as its bytes).
		await rows(
			`INSERT INTO deliveries (account_id, id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
			SELECT 'acc_' || lower(hex(randomblob(14))), id, event_id, endpoint_id, status, 0, created_at, 1 FROM deliveries`,
		);
		const found = (where: SQL | undefined) =>
			db().select({ accountId: deliveriesV2.accountId, id: deliveriesV2.id }).from(deliveriesV2).where(where);
		for (const row of await rows<{ account_id: string; id: string }>("SELECT account_id, id FROM deliveries")) {
			const one = { accountId: row.account_id, id: row.id };
			expect(await found(and(eq(deliveriesV2.accountId, row.account_id), eq(deliveriesV2.id, row.id)))).toEqual([one]);
			const made = Number.parseInt(row.id.slice(4, 16), 16);
			const inItsMillisecond = and(
				eq(deliveriesV2.accountId, row.account_id),
				gte(deliveriesV2.id, idFloor("dlv", made)),
				lt(deliveriesV2.id, idFloor("dlv", made + 1)),
			);
			expect(await found(inItsMillisecond)).toEqual([one]);
		}
		expect(await found(eq(deliveriesV2.id, "dlv_missing"))).toEqual([]);
		expect(await found(eq(deliveriesV2.accountId, "acc_12"))).toEqual([]);
	});
});

describe("endpoint keys", () => {
	it("are given when an endpoint is written, before any delivery to it, one number each", async () => {
		const first = await createEndpoint("https://a.example/hook");
		const second = await createEndpoint("https://b.example/hook");
		expect(await rows("SELECT endpoint_id, key FROM endpoint_keys ORDER BY key")).toEqual([
			{ endpoint_id: first.id, key: 1 },
			{ endpoint_id: second.id, key: 2 },
		]);
		await ingest(fixture("ticket.created"));
		expect(await rows("SELECT DISTINCT endpoint_key FROM deliveries_v2 ORDER BY endpoint_key")).toEqual([
			{ endpoint_key: 1 },
			{ endpoint_key: 2 },
		]);
	});
});
