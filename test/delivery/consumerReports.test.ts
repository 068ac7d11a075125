/**
 * What the consumer tells the account pacers: a batch of a paced lane reports
 * how many of each account's messages it finished (one call per account and
 * batch), which releases that account's parked work; what it handed off goes
 * to the isolation lane through the pacer; a main-lane batch that hands
 * nothing off calls no pacer at all.
 */
import { expect, it, vi } from "vitest";
import { LANE_SHARE } from "../../src/delivery/fairShare";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	pacerOfAccount,
	pastEvents,
	recordingQueues,
	runConsumer,
	stubDestination,
} from "../helpers/worker";

it("reports a bulk batch's finished messages, once per account, and the pacer releases as many of the account's parked ones", async () => {
	stubDestination(() => new Response("ok"));
	await createAccount("noisy");
	for (let i = 0; i < 10; i++) await createEndpoint(`https://n${i}.example/hook`, { account: "noisy" });
	const accountId = await accountIdOf("noisy");
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
	expect(settle.mock.calls).toEqual([[accountId, "bulk", 25, []]]);
	expect((await pacerOfAccount(accountId, recordingQueues()).status()).parked).toBe(5);
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
