/**
 * Fair share: the rules that keep one account's backlog from holding up
 * another's, as plain values and functions (the account's pacer,
 * accountPacer.ts, keeps the state and applies them; the fair rate in SQL,
 * which ingest and the main lane's claim apply, is fairRate.ts).
 *
 * - An account may start FAIR_RATE deliveries a second on the main lane;
 *   beyond that its work takes the bulk lane (decided at ingest, and again
 *   for each first attempt the main lane claims: fairRate.ts).
 * - Past a main-lane batch's MAIN_BATCH_BUDGET_MS, an endpoint's deliveries
 *   beyond one round of sends go to the bulk lane (dispatch.ts): an endpoint
 *   too slow for what its account sends it, within the fair rate, holds up no
 *   one else.
 * - In each paced lane (bulk, isolation) an account has at most its
 *   LANE_SHARE of messages waiting at once; the rest waits in its pacer,
 *   released as the lane's consumer reports what it finished. Every busy
 *   account thus holds an equal part of the lane, whatever their number.
 */
import type { Settings } from "../config";
import { MINUTE_MS } from "../lib/time";
import type { DeliveryMessage, PacedLane } from "./queue";

/**
 * How many of one account's messages may wait in a paced lane at once.
 * - bulk: the lane's max_batch_size × max_concurrency (50 × 10): an account
 *   alone keeps every bulk consumer busy, and k accounts get 1/k of it each.
 * - isolation: two of the lane's batches (2 × 10): sends to slow endpoints
 *   are bounded per endpoint and invocation anyway (3 in flight), and another
 *   account's delivery waits behind at most two batches of each busy account,
 *   about 2 × DELIVERY_TIMEOUT_MS when its endpoints never answer.
 */
export const LANE_SHARE: Record<PacedLane, number> = { bulk: 500, isolation: 20 };

/**
 * A main-lane batch's budget, from its first send: then an endpoint with more
 * deliveries not yet started than one round of its sends is sent more than it
 * takes, and those go to the bulk lane (dispatch.ts). Every main-lane delivery
 * waits for at most the batches ahead of it, and each now lasts this long plus
 * a round or two of sends (each shorter than the slow threshold, or its
 * endpoint is isolated), so one endpoint's backlog cannot stretch them: 30
 * events a second to a receiver that answers in 250 ms would otherwise hold
 * each batch for seconds.
 */
export const MAIN_BATCH_BUDGET_MS = 500;

/** The window over which an account's rate is measured: at ingest and for hand-overs to the main lane. */
export const FAIR_RATE_WINDOW_MS = 1000;

/** An account is shown as bursting for this long after it was last over its fair rate. */
export const BURSTING_FOR_MS = MINUTE_MS;

/**
 * No report from a lane for this long while the account has messages in it:
 * they are taken as lost (a consumer that died before reporting, a message
 * dropped by the queue) and the lane is refilled. Duplicates are harmless:
 * the claim in D1 decides.
 */
export const LOST_AFTER_MS = MINUTE_MS;

/** When a send to a lane failed, the pacer tries again this much later. */
export const SEND_RETRY_MS = 10_000;

/** Deliveries an account may start on the main lane per window: FAIR_RATE for FAIR_RATE_WINDOW_MS. */
export function fairBudget(settings: Settings): number {
	return Math.max(1, Math.floor((settings.fairRate * FAIR_RATE_WINDOW_MS) / 1000));
}

/** One account's part of a paced lane. */
export interface LaneShare {
	/** Messages sent to the lane and not yet reported finished. */
	waiting: number;
	/** Messages held back in the pacer, oldest first. */
	parked: number;
	/** When the lane was last heard of: its last report, or the first message sent into it while it was empty. */
	heardAt: number;
}

export interface PacerState {
	lanes: Record<PacedLane, LaneShare>;
	/** Hand-overs to the main lane in the current fair-rate window, and when that window began. */
	mainWindow: { since: number; sent: number };
	/** When the account was last seen over its fair rate (ingest's bulk work, or hand-overs beyond its budget). */
	overRateAt: number | null;
	/** The next parked chunk's sequence number: chunks are released in this order. */
	nextSeq: number;
}

export function emptyPacerState(): PacerState {
	const lane = (): LaneShare => ({ waiting: 0, parked: 0, heardAt: 0 });
	return { lanes: { bulk: lane(), isolation: lane() }, mainWindow: { since: 0, sent: 0 }, overRateAt: null, nextSeq: 0 };
}

/** How many more of the account's messages the lane takes now. */
export function room(state: PacerState, lane: PacedLane): number {
	return Math.max(0, LANE_SHARE[lane] - state.lanes[lane].waiting);
}

/** Over its fair rate in the last BURSTING_FOR_MS. */
export function isBursting(state: PacerState, now: number): boolean {
	return state.overRateAt !== null && now - state.overRateAt < BURSTING_FOR_MS;
}

/** Deliveries the pacer holds back, in both paced lanes. */
export function parkedTotal(state: PacerState): number {
	return state.lanes.bulk.parked + state.lanes.isolation.parked;
}

/** A delivery handed to the pacer without a lane: a retry, the sweep's, a redelivery. */
export interface HandOver extends DeliveryMessage {
	/** Its endpoint is isolated right now (slow or unresponsive). */
	isolated: boolean;
}

/**
 * The lane of each hand-over, updating `state`'s main-lane window: an
 * isolated endpoint's to the isolation lane; the rest to the main lane while
 * the account is within its fair budget for the window and has no bulk work
 * waiting, otherwise to the bulk lane (a retry wave of a bursting account
 * waits behind its own backlog, not in front of other accounts).
 */
export function routeHandOvers(state: PacerState, items: readonly HandOver[], budget: number, now: number) {
	if (now - state.mainWindow.since >= FAIR_RATE_WINDOW_MS) state.mainWindow = { since: now, sent: 0 };
	const bulkBusy = state.lanes.bulk.waiting + state.lanes.bulk.parked > 0;
	const routed: Record<"main" | PacedLane, DeliveryMessage[]> = { main: [], bulk: [], isolation: [] };
	for (const { isolated, ...message } of items) {
		if (isolated) routed.isolation.push(message);
		else if (!bulkBusy && state.mainWindow.sent < budget) {
			state.mainWindow.sent++;
			routed.main.push(message);
		} else routed.bulk.push(message);
	}
	if (routed.bulk.length && !bulkBusy) state.overRateAt = now;
	return routed;
}

/**
 * A report from a paced lane: `done` of the account's messages finished.
 * Counts never go below zero (a duplicate message reported twice).
 */
export function settleLane(state: PacerState, lane: PacedLane, done: number, now: number): void {
	const share = state.lanes[lane];
	share.waiting = Math.max(0, share.waiting - done);
	share.heardAt = now;
}

/** Lanes with messages not heard of for LOST_AFTER_MS: taken as lost, so the lane can be refilled. */
export function forgetLost(state: PacerState, now: number): PacedLane[] {
	const lost: PacedLane[] = [];
	for (const lane of ["bulk", "isolation"] as const) {
		const share = state.lanes[lane];
		if (share.waiting > 0 && now - share.heardAt >= LOST_AFTER_MS) {
			lost.push(lane);
			share.waiting = 0;
			share.heardAt = now;
		}
	}
	return lost;
}

/** When the pacer should look again (its alarm), or null when nothing waits or is parked. */
export function nextLook(state: PacerState): number | null {
	const times = (["bulk", "isolation"] as const)
		.filter((lane) => state.lanes[lane].waiting > 0 || state.lanes[lane].parked > 0)
		.map((lane) => state.lanes[lane].heardAt + LOST_AFTER_MS);
	return times.length ? Math.min(...times) : null;
}

/**
 * Manual actions in the sliding minute: `allowed`, or how long until the
 * oldest of the last `limit` leaves the window.
 */
export function manualActionVerdict(recent: readonly number[], limit: number, now: number) {
	const inWindow = recent.filter((at) => at > now - MINUTE_MS);
	if (inWindow.length < limit) return { allowed: true as const, recent: [...inWindow, now] };
	const freesAt = inWindow[inWindow.length - limit] + MINUTE_MS;
	return { allowed: false as const, recent: inWindow, retryAfterMs: Math.max(1, freesAt - now) };
}
