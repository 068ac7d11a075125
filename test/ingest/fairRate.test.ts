/**
 * The fair rate at ingest: an account's first attempts take the main lane
 * while its deliveries of the last FAIR_RATE_WINDOW_MS stay within its fair
 * budget, and the bulk lane (through its pacer, held in D1) beyond it; an
 * isolated endpoint's take the isolation lane either way. Decided in the
 * statement that creates the deliveries, and handed to the pacer after the
 * 202.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countedDatabases, resetWork, work } from "../../bench/worker/work";
import { app } from "../../src/app";
import { readSettings } from "../../src/config";
import { forgetRecentAccount } from "../../src/db/directory";
import { FAIR_RATE_WINDOW_MS, fairBudget } from "../../src/delivery/fairShare";
import { ISOLATION_MS } from "../../src/delivery/isolation";
import { queueHoldMs } from "../../src/delivery/stateChanges";
import {
	accountIdOf,
	accountWithEndpoints,
	deliveryRow,
	fixture,
	ingest,
	ingestHeaders,
	pacerOfAccount,
	pastEvents,
	recordingQueues,
	rowsEverywhere,
	runEverywhere,
	testEnv,
} from "../helpers/worker";

const settings = readSettings(env);
/** Events a fan-out of 10 may send within a window before the account is over its fair rate. */
const eventsWithinBudget = fairBudget(settings) / 10;

/** Sends one event for `uid`; returns what it queued, by lane, and the statements ingest ran. */
async function sendOne(uid: string) {
	// Each request reads the directory, as the first after a while does: their statements compare.
	forgetRecentAccount(uid);
	resetWork();
	const { response, queue } = await ingest(fixture("ticket.created"), { account: uid, env: countedDatabases(env, "ingest") });
	expect(response.status).toBe(202);
	return { queue, statements: work.ingest.d1Statements };
}

describe("the fair rate at ingest", () => {
	it(`keeps an account within it on the main lane: ${eventsWithinBudget} events to 10 endpoints in the window (the medium account's 2 s, clumped), older ones not counted`, async () => {
		await accountWithEndpoints("medium", 10);
		await pastEvents(await accountIdOf("medium"), 100, FAIR_RATE_WINDOW_MS + 500);
		await pastEvents(await accountIdOf("medium"), eventsWithinBudget - 1);
		const { queue } = await sendOne("medium");
		expect(queue.on("main")).toHaveLength(10);
		expect(queue.sent.every((entry) => entry.lane === "main")).toBe(true);
		expect(await rowsEverywhere("SELECT DISTINCT lease_until FROM deliveries")).toEqual([{ lease_until: null }]);
	});

	it("sends an account over it to the bulk lane through its pacer, held in D1 for it, in as many statements as within it", async () => {
		await accountWithEndpoints("noisy", 10);
		const within = await sendOne("noisy");
		await pastEvents(await accountIdOf("noisy"), eventsWithinBudget);
		const { queue, statements } = await sendOne("noisy");
		expect(statements).toBe(within.statements);
		expect(queue.on("bulk")).toHaveLength(10);
		expect(queue.on("main")).toEqual([]);
		for (const message of queue.messages) {
			expect((await deliveryRow(message.deliveryId)).lease_until).toBeGreaterThan(Date.now() + queueHoldMs(settings) - 5000);
		}
		expect((await pacerOfAccount(await accountIdOf("noisy"), recordingQueues()).status()).bursting).toBe(true);
	});

	it("still sends an over-rate account's first attempt to an isolated endpoint to the isolation lane", async () => {
		const [isolated] = await accountWithEndpoints("noisy", 10);
		await runEverywhere(
			"UPDATE endpoints SET isolated_until = ?, isolation = 'unresponsive' WHERE id = ?",
			Date.now() + ISOLATION_MS,
			isolated,
		);
		await pastEvents(await accountIdOf("noisy"), eventsWithinBudget);
		const { queue } = await sendOne("noisy");
		expect(queue.on("isolation").map((message) => message.endpointId)).toEqual([isolated]);
		expect(queue.on("bulk")).toHaveLength(9);
	});

	it("counts each account on its own: another account's burst leaves a quiet one on the main lane", async () => {
		await accountWithEndpoints("noisy", 10);
		await accountWithEndpoints("quiet", 1);
		await pastEvents(await accountIdOf("noisy"), 10 * eventsWithinBudget);
		const { queue } = await sendOne("quiet");
		expect(queue.sent.map((entry) => entry.lane)).toEqual(["main"]);
	});

	it("answers 202 without waiting for the pacer: the hand-off runs after the response", async () => {
		await accountWithEndpoints("noisy", 10);
		await pastEvents(await accountIdOf("noisy"), eventsWithinBudget);
		let handedOver = false;
		const slowPacers = {
			getByName: () => ({
				admit: () =>
					new Promise<void>((resolve) =>
						setTimeout(() => {
							handedOver = true;
							resolve();
						}, 200),
					),
			}),
		} as unknown as Env["ACCOUNT_PACER"];
		const ctx = createExecutionContext();
		const response = await app.request(
			"/accounts/noisy/events",
			{ method: "POST", body: fixture("ticket.created"), headers: ingestHeaders },
			testEnv(recordingQueues(), { ACCOUNT_PACER: slowPacers }),
			ctx,
		);
		expect(response.status).toBe(202);
		expect(handedOver).toBe(false);
		await waitOnExecutionContext(ctx);
		expect(handedOver).toBe(true);
	});
});
