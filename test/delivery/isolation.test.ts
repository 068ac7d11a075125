/**
 * No receiver slows another: a send still unanswered after the slow threshold
 * isolates its endpoint on the spot, the batch's healthy deliveries go out
 * meanwhile, the slow endpoint's other deliveries leave for the isolation lane
 * (held there, so the sweep lets them be), and every invocation keeps at most
 * IN_FLIGHT_PER_ENDPOINT requests in flight to one endpoint, and at most
 * IN_FLIGHT_PER_ACCOUNT to one account's while another account has deliveries
 * in the batch still to send.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { readSettings } from "../../src/config";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { LANE_SHARE } from "../../src/delivery/fairShare";
import {
	IN_FLIGHT_PER_ACCOUNT,
	IN_FLIGHT_PER_ENDPOINT,
	ISOLATION_MS,
	LANES_PER_INVOCATION,
	SATURATED_AFTER_MS,
	slowAfterMs,
} from "../../src/delivery/isolation";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { queueHoldMs } from "../../src/delivery/stateChanges";
import { api, json } from "../helpers/api";
import {
	clearDurableObjects,
	createAccount,
	createEndpoint,
	type DeliveryRow,
	dbBeforeBatch,
	deliveryRow,
	fixture,
	hangingResponse,
	ingest,
	pacerOfAccount,
	recordingQueues,
	rows,
	runConsumer,
	sleep,
	stubDestination,
} from "../helpers/worker";

const settings = readSettings(env);

/** `count` events to every registered endpoint, and the messages they made. */
async function events(count: number) {
	const messages = [];
	for (let i = 0; i < count; i++) messages.push(...(await ingest(fixture("ticket.created"))).queue.messages);
	return messages;
}

describe("isolation in the main lane", () => {
	it("isolates an endpoint whose send passes the slow threshold, sends the healthy ones meanwhile, and hands its others to the isolation lane", async () => {
		const healthy = await createEndpoint("https://healthy.example/hook");
		const hanging = await createEndpoint("https://hanging.example/hook");
		const healthyArrivals: number[] = [];
		let firstAbort = Number.POSITIVE_INFINITY;
		stubDestination((request, _index, signal) => {
			if (request.url.startsWith("https://healthy.example")) {
				healthyArrivals.push(Date.now());
				return new Response("ok");
			}
			signal?.addEventListener("abort", () => {
				firstAbort = Math.min(firstAbort, Date.now());
			});
			return hangingResponse(signal);
		});
		const messages = await events(5);
		const started = Date.now();
		const result = await runConsumer(messages);

		// Every healthy delivery went out while the hanging ones were still waiting for their timeout.
		expect(healthyArrivals).toHaveLength(5);
		expect(Math.max(...healthyArrivals)).toBeLessThan(firstAbort);

		const toHanging = messages.filter((message) => message.endpointId === hanging.id);
		const sent = await rows<{ delivery_id: string }>(
			"SELECT delivery_id FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE endpoint_id = ?)",
			hanging.id,
		);
		expect(sent).toHaveLength(IN_FLIGHT_PER_ENDPOINT);
		// The rest left for the isolation lane, held there and not attempted.
		const handedOff = result.queue.sent.filter((entry) => entry.lane === "isolation").map((entry) => entry.message);
		expect(handedOff.map((message) => message.deliveryId).sort()).toEqual(
			toHanging
				.map((message) => message.deliveryId)
				.filter((id) => !sent.some((row) => row.delivery_id === id))
				.sort(),
		);
		for (const message of handedOff) {
			const row = await deliveryRow(message.deliveryId);
			expect(row).toMatchObject({ status: "new", attempt_count: 0, claim_id: null });
			expect(row.lease_until).toBeGreaterThan(Date.now() + queueHoldMs(settings) - 5000);
		}
		const [endpoint] = await rows<{ isolated_until: number; isolation: string }>(
			"SELECT isolated_until, isolation FROM endpoints WHERE id = ?",
			hanging.id,
		);
		expect(endpoint.isolation).toBe("unresponsive");
		expect(endpoint.isolated_until).toBeGreaterThan(started + ISOLATION_MS - 1000);
		expect(await rows("SELECT isolated_until FROM endpoints WHERE id = ?", healthy.id)).toEqual([{ isolated_until: null }]);
		expect(result.explicitAcks).toHaveLength(10);
	});

	it("marks an endpoint that answers, but slowly, as slow (not unresponsive)", async () => {
		const slow = await createEndpoint("https://slow.example/hook");
		stubDestination(async () => {
			await new Promise((resolve) => setTimeout(resolve, slowAfterMs(settings) + 50));
			return new Response("ok");
		});
		await runConsumer(await events(1));
		expect(await rows("SELECT isolation FROM endpoints WHERE id = ?", slow.id)).toEqual([{ isolation: "slow" }]);
		expect(await rows("SELECT status FROM deliveries")).toEqual([{ status: "delivered" }]);
	});

	it("sends new events for an isolated endpoint straight to the isolation lane, and healthy ones to the main lane", async () => {
		await createEndpoint("https://healthy.example/hook");
		const slow = await createEndpoint("https://slow.example/hook");
		await env.DB.prepare("UPDATE endpoints SET isolated_until = ?, isolation = 'slow' WHERE id = ?")
			.bind(Date.now() + ISOLATION_MS, slow.id)
			.run();
		const { queue } = await ingest(fixture("ticket.created"));
		expect(queue.sent.map((entry) => [entry.lane, entry.message.endpointId === slow.id ? "slow" : "healthy"]).sort()).toEqual([
			["isolation", "slow"],
			["main", "healthy"],
		]);
	});
});

describe("a hand-off to the isolation lane", () => {
	it("is claimable there when its message is sent: the claim is handed back first, and the lane attempts it at once", async () => {
		await createEndpoint("https://slow.example/hook");
		const destination = stubDestination(async () => {
			await sleep(slowAfterMs(settings) + 50);
			return new Response("ok");
		});
		const messages = await events(IN_FLIGHT_PER_ENDPOINT + 1);
		// The round trip that claims the last delivery comes back after its endpoint turned slow: it leaves unsent.
		const DB = dbBeforeBatch((index) => (index === 1 ? sleep(slowAfterMs(settings) + 150) : undefined));
		const atSend: DeliveryRow[] = [];
		const isolationQueue = {
			async sendBatch(batch: Iterable<MessageSendRequest<DeliveryMessage>>) {
				const handedOff = [...batch].map((request) => request.body);
				for (const message of handedOff) atSend.push(await deliveryRow(message.deliveryId));
				// The isolation lane's consumer takes the message as soon as it is sent.
				await runConsumer(handedOff, { lane: "isolation" });
			},
		};
		await runConsumer(messages, { env: { DB, ISOLATION_QUEUE: isolationQueue as unknown as Queue } });
		expect(atSend).toEqual([expect.objectContaining({ status: "new", attempt_count: 0, claim_id: null })]);
		expect(destination.requests).toHaveLength(IN_FLIGHT_PER_ENDPOINT + 1);
		expect(await rows("SELECT DISTINCT status, attempt_count FROM deliveries")).toEqual([{ status: "delivered", attempt_count: 1 }]);
	});
});

describe("the isolation lane", () => {
	it("puts an endpoint that is slow there too back at the lane's end, so one dead endpoint cannot hold the lane", async () => {
		await createEndpoint("https://hanging.example/hook");
		stubDestination((_request, _index, signal) => hangingResponse(signal));
		const messages = await events(5);
		const result = await runConsumer(messages, { lane: "isolation" });
		expect(await rows("SELECT count(*) AS n FROM delivery_attempts")).toEqual([{ n: IN_FLIGHT_PER_ENDPOINT }]);
		expect(result.queue.sent.map((entry) => entry.lane)).toEqual(["isolation", "isolation"]);
		expect(result.explicitAcks).toHaveLength(5);
	});
});

describe("connections", () => {
	it(`keeps at most ${IN_FLIGHT_PER_ENDPOINT} requests in flight to one endpoint, and claims at most one wave ahead of its sends`, async () => {
		await createEndpoint("https://receiver.example/hook");
		let release: () => void = () => {};
		const released = new Promise<void>((resolve) => {
			release = resolve;
		});
		let inFlight = 0;
		let peak = 0;
		let claimedWhileFirstWaveRan: number | null = null;
		stubDestination(async () => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			if (inFlight === IN_FLIGHT_PER_ENDPOINT && claimedWhileFirstWaveRan === null) {
				const [{ n }] = await rows<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE claim_id IS NOT NULL");
				claimedWhileFirstWaveRan = n;
				release();
			}
			await released;
			inFlight--;
			return new Response("ok");
		});
		await runConsumer(await events(10));
		expect(peak).toBe(IN_FLIGHT_PER_ENDPOINT);
		// The sends in flight and the next wave (claimed, leased, waiting for a connection); the rest unclaimed.
		expect(claimedWhileFirstWaveRan).toBeGreaterThanOrEqual(IN_FLIGHT_PER_ENDPOINT);
		expect(claimedWhileFirstWaveRan).toBeLessThanOrEqual(2 * IN_FLIGHT_PER_ENDPOINT);
		expect(await rows("SELECT DISTINCT status FROM deliveries")).toEqual([{ status: "delivered" }]);
	});

	it(`keeps ${LANES_PER_INVOCATION - IN_FLIGHT_PER_ACCOUNT} connections for other accounts: one account's dead endpoints cannot take them all`, async () => {
		const { tarpitArrivals, quietArrivals, started } = await tarpitBesideQuiet({
			deadEndpoints: 2,
			tarpitEvents: 3,
			quietEvents: 8,
			quietMs: 20,
		});
		// Every quiet delivery went out before the dead endpoints were even found slow, over the connections the tarpit could not take.
		expect(quietArrivals).toHaveLength(8);
		const lastQuiet = Math.max(...quietArrivals);
		expect(lastQuiet).toBeLessThan(started + slowAfterMs(shareSettings));
		expect(tarpitArrivals.filter((at) => at <= lastQuiet).length).toBeLessThanOrEqual(IN_FLIGHT_PER_ACCOUNT);
	});

	it("claims the other accounts' deliveries while the share holds the tarpit's back, instead of waiting for its timeout", async () => {
		// Slow quiet sends keep the claims one wave ahead: the tarpit's held deliveries alone would fill what may wait for a connection.
		const { quietArrivals, started } = await tarpitBesideQuiet({ deadEndpoints: 3, tarpitEvents: 3, quietEvents: 8, quietMs: 200 });
		expect(quietArrivals).toHaveLength(8);
		expect(Math.max(...quietArrivals)).toBeLessThan(started + slowAfterMs(shareSettings));
	});

	it("lets an account use every connection once no other account has a delivery to send in the batch", async () => {
		await createEndpoint("https://a.example/hook");
		await createEndpoint("https://b.example/hook");
		const other = await accountBeside("DB");
		await createEndpoint("https://other.example/hook", { account: other });
		let inFlight = 0;
		let peak = 0;
		stubDestination(async (request) => {
			if (request.url.startsWith("https://other.example")) return new Response("ok");
			peak = Math.max(peak, ++inFlight);
			await sleep(50);
			inFlight--;
			return new Response("ok");
		});
		const messages = [
			...(await ingest(fixture("ticket.created"), { account: other })).queue.messages,
			...(await events(2 * IN_FLIGHT_PER_ENDPOINT)),
		];
		await runConsumer(messages);
		expect(peak).toBe(LANES_PER_INVOCATION);
	});
});

/** Settings for the share's tests: a longer timeout than the tests' own, so that the slow threshold (1 s) leaves room on a busy machine. */
const shareEnv = { DELIVERY_TIMEOUT_MS: "2000" };
const shareSettings = readSettings({ ...env, ...shareEnv });

/** A new account on `database` (a batch is dispatched per database, so accounts that share one must be on the same). */
async function accountBeside(database: string): Promise<string> {
	for (let i = 0; i < 20; i++) if ((await createAccount(`beside-${i}`)).database === database) return `beside-${i}`;
	throw new Error(`no new account was placed on ${database}`);
}

/**
 * One batch, in the main lane: account `tarpit` sends `tarpitEvents` events to `deadEndpoints` endpoints that never
 * answer, then an account beside it sends `quietEvents` to one endpoint answering after `quietMs`.
 */
async function tarpitBesideQuiet(options: { deadEndpoints: number; tarpitEvents: number; quietEvents: number; quietMs: number }) {
	const { database } = await createAccount("tarpit");
	const quiet = await accountBeside(database);
	for (let i = 0; i < options.deadEndpoints; i++) await createEndpoint(`https://dead-${i}.example/hook`, { account: "tarpit" });
	await createEndpoint("https://quiet.example/hook", { account: quiet });
	const quietArrivals: number[] = [];
	const tarpitArrivals: number[] = [];
	stubDestination(async (request, _index, signal) => {
		if (!request.url.startsWith("https://quiet.example")) {
			tarpitArrivals.push(Date.now());
			return hangingResponse(signal);
		}
		quietArrivals.push(Date.now());
		await sleep(options.quietMs);
		return new Response("ok");
	});
	const messages = [];
	for (const [account, count] of [
		["tarpit", options.tarpitEvents],
		[quiet, options.quietEvents],
	] as const) {
		for (let i = 0; i < count; i++) messages.push(...(await ingest(fixture("ticket.created"), { account })).queue.messages);
	}
	const started = Date.now();
	await runConsumer(messages, { env: shareEnv });
	return { tarpitArrivals, quietArrivals, started };
}

describe("delivery_state", () => {
	it("shows healthy, then isolated with until, what is in flight and the oldest waiting delivery, then saturated", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const state = async () =>
			(await json<{ delivery_state: Record<string, unknown> }>(await api(`/endpoints/${endpoint.id}`))).delivery_state;
		expect(await state()).toEqual({ state: "healthy", until: null, in_flight: 0, oldest_waiting_at: null });

		const until = Date.now() + ISOLATION_MS;
		await env.DB.prepare("UPDATE endpoints SET isolated_until = ?, isolation = 'unresponsive'").bind(until).run();
		const messages = await events(2);
		// One in flight (claimed, leased), one waiting in the isolation lane since it arrived.
		await env.DB.prepare(
			"UPDATE deliveries SET claim_id = 'clm_' || lower(hex(randomblob(14))), lease_until = ?, attempt_count = 1 WHERE id = ?",
		)
			.bind(Date.now() + 60_000, messages[0].deliveryId)
			.run();
		const waitingSince = (await deliveryRow(messages[1].deliveryId)).next_attempt_at as number;
		expect(await state()).toEqual({
			state: "isolated",
			until: new Date(until).toISOString(),
			in_flight: 1,
			oldest_waiting_at: new Date(waitingSince).toISOString(),
		});
		// Waiting longer than SATURATED_AFTER_MS: more arrives than the endpoint takes.
		const longAgo = Date.now() - SATURATED_AFTER_MS - 1000;
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(longAgo, messages[1].deliveryId).run();
		expect(await state()).toMatchObject({ state: "saturated", until: new Date(until).toISOString(), in_flight: 1 });
		const listed = await json<{ endpoints: { delivery_state: { state: string } }[] }>(await api("/endpoints"));
		expect(listed.endpoints[0].delivery_state.state).toBe("saturated");
	});

	it("shows throttled, with no until, when a due delivery has waited past SATURATED_AFTER_MS while its account is over its share (bursting, or with work parked)", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const state = async () =>
			(await json<{ delivery_state: Record<string, unknown> }>(await api(`/endpoints/${endpoint.id}`))).delivery_state;
		await env.DB.prepare("UPDATE endpoints SET isolated_until = ?, isolation = 'slow'")
			.bind(Date.now() + ISOLATION_MS)
			.run();
		const [message] = await events(1);
		const longAgo = Date.now() - SATURATED_AFTER_MS - 1000;
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(longAgo, message.deliveryId).run();
		// The account is quiet: the endpoint does not keep up.
		expect((await state()).state).toBe("saturated");
		// Work of the account waits in its pacer: the wait is its own backlog.
		const pacer = pacerOfAccount(DEFAULT_ACCOUNT_ID, recordingQueues());
		const backlog = Array.from({ length: LANE_SHARE.isolation + 1 }, (_, i) => ({ ...message, deliveryId: `dlv_backlog_${i}` }));
		await pacer.admit("isolation", backlog);
		expect(await state()).toEqual({ state: "throttled", until: null, in_flight: 0, oldest_waiting_at: new Date(longAgo).toISOString() });
		await clearDurableObjects();
		expect((await state()).state).toBe("saturated");
		// Bursting: over its fair rate in the last minute.
		await pacer.admit("bulk", [{ ...message, deliveryId: "dlv_burst" }]);
		expect((await state()).state).toBe("throttled");
	});

	it("asks the account's pacer nothing while no delivery has waited past SATURATED_AFTER_MS", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await events(1);
		const getByName = vi.fn();
		const response = await api(`/endpoints/${endpoint.id}`, { env: { ACCOUNT_PACER: { getByName } as unknown as Env["ACCOUNT_PACER"] } });
		expect((await json<{ delivery_state: { state: string } }>(response)).delivery_state.state).toBe("healthy");
		expect(getByName).not.toHaveBeenCalled();
	});
});
