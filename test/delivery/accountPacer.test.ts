/**
 * The account pacer: each account's share of the paced lanes (bulk,
 * isolation), the excess parked in its storage and released as the lane's
 * consumer reports, or by its alarm when no report comes; the lane of each
 * hand-over; the bursting mark. Driven through the Worker's own calls, with
 * recording queues.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/config";
import { BURSTING_FOR_MS, fairBudget, LANE_SHARE, LOST_AFTER_MS, SEND_RETRY_MS } from "../../src/delivery/fairShare";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { pacerOfAccount, pacerStorage, recordingQueues, runPacerAlarm } from "../helpers/worker";

const settings = readSettings(env);

/** `count` messages of account `accountId` (the pacer never reads D1: ids are enough). */
function messages(accountId: string, count: number, endpointId = "ep_1"): DeliveryMessage[] {
	return Array.from({ length: count }, (_, i) => ({ accountId, deliveryId: `dlv_${String(i).padStart(4, "0")}`, endpointId }));
}

afterEach(() => {
	vi.useRealTimers();
});

/** Moves the clock (Date only: the pacer reads it) `ms` ahead. */
function advance(ms: number) {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(Date.now() + ms);
}

describe("an account's share of a paced lane", () => {
	for (const lane of ["bulk", "isolation"] as const) {
		it(`sends at most LANE_SHARE.${lane} (${LANE_SHARE[lane]}) at once, parks the rest in its storage, and releases it oldest first as the lane reports`, async () => {
			const queue = recordingQueues();
			const pacer = pacerOfAccount("acc_a", queue);
			const work = messages("acc_a", LANE_SHARE[lane] + 30);
			await pacer.admit(lane, work);
			expect(queue.on(lane)).toEqual(work.slice(0, LANE_SHARE[lane]));
			expect((await pacer.status()).parked).toBe(30);
			// Parked as delivery refs, in the pacer's own storage.
			const parked = Object.entries((await pacerStorage("acc_a")).entries).filter(([key]) => key.startsWith(`parked:${lane}:`));
			expect(parked.flatMap(([, refs]) => refs as DeliveryMessage[])).toEqual(work.slice(LANE_SHARE[lane]));

			await pacer.settle(lane, 10, {});
			expect(queue.on(lane)).toEqual(work.slice(0, LANE_SHARE[lane] + 10));
			await pacer.settle(lane, 25, {});
			expect(queue.on(lane)).toEqual(work);
			expect((await pacer.status()).parked).toBe(0);
			expect(queue.on("main")).toEqual([]);
		});
	}

	it("bounds each account on its own: one account's parked backlog never holds back another's work", async () => {
		const queue = recordingQueues();
		await pacerOfAccount("acc_tarpit", queue).admit("isolation", messages("acc_tarpit", 600));
		const other = messages("acc_other", 1);
		await pacerOfAccount("acc_other", queue).admit("isolation", other);
		expect(queue.on("isolation")).toHaveLength(LANE_SHARE.isolation + 1);
		expect(queue.on("isolation").at(-1)).toEqual(other[0]);
		expect((await pacerOfAccount("acc_tarpit", queue).status()).parked).toBe(600 - LANE_SHARE.isolation);
	});

	it("puts a batch's hand-offs behind what is parked already, and releases from the head", async () => {
		const queue = recordingQueues();
		const pacer = pacerOfAccount("acc_a", queue);
		const first = messages("acc_a", LANE_SHARE.isolation + 2);
		await pacer.admit("isolation", first);
		const handOff = { accountId: "acc_a", deliveryId: "dlv_handed_off", endpointId: "ep_slow" };
		await pacer.settle("isolation", 3, { isolation: [handOff] });
		expect(queue.on("isolation")).toEqual([...first, handOff]);
	});
});

describe("the safety net", () => {
	it("takes a lane silent for LOST_AFTER_MS as emptied: the alarm refills it (a lost report), and not before", async () => {
		const queue = recordingQueues();
		const pacer = pacerOfAccount("acc_a", queue);
		const work = messages("acc_a", LANE_SHARE.isolation + 5);
		await pacer.admit("isolation", work);
		const { alarm } = await pacerStorage("acc_a");
		expect(alarm).toBeGreaterThanOrEqual(Date.now() + LOST_AFTER_MS - 1000);
		// Fired early (or a report came meanwhile): nothing is taken as lost.
		expect((await runPacerAlarm("acc_a")).queue.messages).toEqual([]);
		advance(LOST_AFTER_MS);
		const { ran, queue: released } = await runPacerAlarm("acc_a");
		expect(ran).toBe(true);
		expect(released.on("isolation")).toEqual(work.slice(LANE_SHARE.isolation));
		expect((await pacer.status()).parked).toBe(0);
	});

	it("parks what a lane's queue refused, and sends it again by its alarm SEND_RETRY_MS later", async () => {
		const failing = { sendBatch: () => Promise.reject(new Error("queue down")) } as unknown as Queue;
		const queue = recordingQueues();
		vi.spyOn(console, "error").mockImplementation(() => {});
		const work = messages("acc_a", 3);
		await pacerOfAccount("acc_a", queue, { BULK_QUEUE: failing }).admit("bulk", work);
		expect(queue.messages).toEqual([]);
		expect((await pacerOfAccount("acc_a", queue).status()).parked).toBe(3);
		const { alarm } = await pacerStorage("acc_a");
		expect(alarm).toBeLessThanOrEqual(Date.now() + SEND_RETRY_MS);
		expect((await runPacerAlarm("acc_a")).queue.on("bulk")).toEqual(work);
	});
});

describe("hand-overs (retries, the sweep, redeliveries)", () => {
	const handOver = (message: DeliveryMessage, isolated: boolean) => ({ ...message, isolated });

	it("puts an isolated endpoint's on the isolation lane, within the account's share", async () => {
		const queue = recordingQueues();
		const [message] = messages("acc_a", 1);
		await pacerOfAccount("acc_a", queue).handOver([handOver(message, true)]);
		expect(queue.sent).toEqual([{ lane: "isolation", message, delaySeconds: 0 }]);
	});

	it("puts the rest on the main lane within the account's fair budget per window, the excess on the bulk lane: the account is bursting", async () => {
		const queue = recordingQueues();
		const pacer = pacerOfAccount("acc_a", queue);
		const wave = messages("acc_a", fairBudget(settings) + 7);
		await pacer.handOver(wave.map((message) => handOver(message, false)));
		expect(queue.on("main")).toEqual(wave.slice(0, fairBudget(settings)));
		expect(queue.on("bulk")).toEqual(wave.slice(fairBudget(settings)));
		expect(await pacer.status()).toEqual({ bursting: true, parked: 0 });
	});

	it("puts them on the bulk lane while the account has bulk work waiting, behind its own backlog", async () => {
		const queue = recordingQueues();
		const pacer = pacerOfAccount("acc_a", queue);
		await pacer.admit("bulk", messages("acc_a", 1));
		const retry = { accountId: "acc_a", deliveryId: "dlv_retry", endpointId: "ep_1" };
		await pacer.handOver([handOver(retry, false)]);
		expect(queue.on("bulk").at(-1)).toEqual(retry);
		expect(queue.on("main")).toEqual([]);
	});
});

describe("bursting", () => {
	it("is set by bulk work from ingest and lasts BURSTING_FOR_MS", async () => {
		const queue = recordingQueues();
		const pacer = pacerOfAccount("acc_a", queue);
		expect(await pacer.status()).toEqual({ bursting: false, parked: 0 });
		await pacer.admit("bulk", messages("acc_a", 1));
		expect((await pacer.status()).bursting).toBe(true);
		advance(BURSTING_FOR_MS);
		expect((await pacer.status()).bursting).toBe(false);
	});
});
