/**
 * What the consumer tells the account pacers: a batch of a paced lane reports
 * how many of each account's messages it finished (one call per account and
 * batch), which releases that account's parked work; what it handed off goes
 * to the isolation lane through the pacer, and a main-lane first attempt of an
 * account now over its fair rate to the bulk lane, as does what a main-lane
 * batch has not started within its budget; a main-lane batch that hands
 * nothing off calls no pacer at all.
 */
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { readSettings } from "../../src/config";
import { fairBudget, LANE_SHARE } from "../../src/delivery/fairShare";
import {
	accountIdOf,
	accountWithEndpoints,
	createEndpoint,
	deliveryRow,
	fixture,
	ingest,
	pacerOfAccount,
	pastEvents,
	recordingQueues,
	rowsEverywhere,
	runConsumer,
	runEverywhere,
	sleep,
	stubDestination,
} from "../helpers/worker";

/** Events a fan-out of 10 may send within the fair-rate window. */
const eventsWithinBudget = fairBudget(readSettings(env)) / 10;

/** An account with `count` endpoints on hosts named after it; returns its internal id. */
async function accountWith(uid: string, count: number) {
	await accountWithEndpoints(uid, count);
	return accountIdOf(uid);
}

const byId = (a: { deliveryId: string }, b: { deliveryId: string }) => a.deliveryId.localeCompare(b.deliveryId);

it("reports a bulk batch's finished messages, once per account, and the pacer releases as many of the account's parked ones", async () => {
	const { requests } = stubDestination(() => new Response("ok"));
	const accountId = await accountWith("noisy", 10);
	await pastEvents(accountId, 100);
	const bulk = [];
	for (let i = 0; i < LANE_SHARE.bulk / 10 + 3; i++)
		bulk.push(...(await ingest(fixture("ticket.created"), { account: "noisy" })).queue.on("bulk"));
	expect(bulk).toHaveLength(LANE_SHARE.bulk);
	expect((await pacerOfAccount(accountId, recordingQueues()).status()).parked).toBe(30);

	const settle = vi.fn();
	const counting = {
		getByName: (name: string) => ({
			settle: (...args: unknown[]) => {
				settle(name, ...args);
				return pacerOfAccount(name, recordingQueues()).settle(...(args as Parameters<ReturnType<typeof pacerOfAccount>["settle"]>));
			},
		}),
	} as unknown as Env["ACCOUNT_PACER"];
	const result = await runConsumer(bulk.slice(0, 25), { lane: "bulk", env: { ACCOUNT_PACER: counting } });
	expect(result.explicitAcks).toHaveLength(25);
	expect(settle.mock.calls).toEqual([[accountId, "bulk", 25, { isolation: [], bulk: [] }, false]]);
	expect(requests).toHaveLength(25);
	expect((await pacerOfAccount(accountId, recordingQueues()).status()).parked).toBe(5);
});

it("hands a main-lane first attempt of an account now over its fair rate to the bulk lane unsent, held in D1; another account's is sent", async () => {
	const { requests } = stubDestination(() => new Response("ok"));
	const noisy = await accountWith("noisy", 10);
	await accountWith("quiet", 1);
	// Within the rate when it came: its first attempts took the main lane.
	const early = (await ingest(fixture("ticket.created"), { account: "noisy" })).queue.on("main");
	expect(early).toHaveLength(10);
	const quiet = (await ingest(fixture("ticket.created"), { account: "quiet" })).queue.on("main");
	// The burst goes on before the main lane gets to them.
	await pastEvents(noisy, eventsWithinBudget);
	const result = await runConsumer([...early, ...quiet]);
	expect(requests.map((request) => new URL(request.url).host)).toEqual(["quiet-0.example"]);
	expect(result.explicitAcks).toHaveLength(11);
	expect(result.queue.on("bulk").sort(byId)).toEqual([...early].sort(byId));
	for (const { deliveryId } of early) {
		const row = await deliveryRow(deliveryId);
		expect(row.attempt_count).toBe(0);
		expect(row.lease_until).toBeGreaterThan(Date.now());
	}
	expect((await pacerOfAccount(noisy, recordingQueues()).status()).bursting).toBe(true);
});

it("still sends an over-rate account's retry that comes through the main lane: only first attempts leave it", async () => {
	const { requests } = stubDestination(() => new Response("ok"));
	const noisy = await accountWith("noisy", 10);
	const [retry] = (await ingest(fixture("ticket.created"), { account: "noisy" })).queue.on("main");
	await runEverywhere(
		"UPDATE deliveries SET status = 'retrying', attempt_count = 1, next_attempt_at = ? WHERE id = ?",
		Date.now() - 1,
		retry.deliveryId,
	);
	await pastEvents(noisy, eventsWithinBudget);
	const result = await runConsumer([retry]);
	expect(requests).toHaveLength(1);
	expect(result.queue.on("bulk")).toEqual([]);
	expect((await deliveryRow(retry.deliveryId)).status).toBe("delivered");
});

it("calls no pacer for a main-lane batch that hands nothing off", async () => {
	stubDestination(() => new Response("ok"));
	await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	const getByName = vi.fn();
	const result = await runConsumer(queue.on("main"), { env: { ACCOUNT_PACER: { getByName } as unknown as Env["ACCOUNT_PACER"] } });
	expect(getByName).not.toHaveBeenCalled();
	expect(result.explicitAcks).toHaveLength(1);
});

it("leaves what a main-lane batch has not started within MAIN_BATCH_BUDGET_MS of an endpoint sent more than it takes to the bulk lane, unsent and held in D1, without calling the account bursting", async () => {
	// One receiver answering in 200 ms: 3 at a time, it takes about 15 a second; the batch has 30 for it.
	const { requests } = stubDestination(() => sleep(200).then(() => new Response("ok")));
	const steady = await accountWith("steady", 1);
	const messages = [];
	for (let i = 0; i < 30; i++) messages.push(...(await ingest(fixture("ticket.created"), { account: "steady" })).queue.on("main"));
	const result = await runConsumer(messages);
	expect(result.explicitAcks).toHaveLength(30);
	// The batch ended with the sends it had started within the budget (about 3 rounds of 3), not after 10 rounds.
	const late = result.queue.on("bulk");
	expect(requests.length).toBeGreaterThan(0);
	expect(requests.length).toBeLessThan(15);
	const sentEvents = new Set(requests.map((request) => request.headers.get("webhook-id")));
	expect(sentEvents.size).toBe(requests.length);
	for (const { deliveryId } of late) {
		const [{ event_id }] = await rowsEverywhere<{ event_id: string }>("SELECT event_id FROM deliveries WHERE id = ?", deliveryId);
		expect(sentEvents.has(event_id)).toBe(false);
		const row = await deliveryRow(deliveryId);
		expect(row.attempt_count).toBe(0);
		expect(row.claim_id).toBeNull();
		expect(row.lease_until).toBeGreaterThan(Date.now());
	}
	expect(new Set(late.map(({ deliveryId }) => deliveryId)).size + requests.length).toBe(30);
	expect((await pacerOfAccount(steady, recordingQueues()).status()).bursting).toBe(false);
});

it("keeps, past the budget, the deliveries of endpoints with no more than one round of sends left", async () => {
	// 4 deliveries to each of 6 endpoints answering in 200 ms: 4 rounds of the 6 connections, past the budget.
	const { requests } = stubDestination(() => sleep(200).then(() => new Response("ok")));
	await accountWith("wide", 6);
	const messages = [];
	for (let i = 0; i < 4; i++) messages.push(...(await ingest(fixture("ticket.created"), { account: "wide" })).queue.on("main"));
	const result = await runConsumer(messages);
	expect(requests).toHaveLength(24);
	expect(result.queue.on("bulk")).toEqual([]);
});
