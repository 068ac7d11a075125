/**
 * AccountPacer: one Durable Object per account (named by its internal id),
 * its admission to the paced lanes (bulk, isolation) and the counter of its
 * manual actions. The rules are in fairShare.ts; this object keeps their
 * state in its own storage and does the sends.
 *
 * Work for a paced lane goes out while the account has less than its
 * LANE_SHARE waiting there; the excess is parked here (delivery refs, in
 * chunks, oldest first) and released as the lane's consumer reports what it
 * finished (`settle`, one call per account and batch), or by the alarm when
 * no report has come for LOST_AFTER_MS. The main lane is never paced: only
 * hand-overs whose lane is decided here (retries, the sweep, redeliveries)
 * may go there through this object, within the account's fair budget.
 *
 * Every parked delivery is also held in D1 (lease_until), so should a
 * hand-off to this object be lost, the sweep takes the delivery up when its
 * hold ends, and hands it over here again.
 */
import { DurableObject } from "cloudflare:workers";
import { readSettings } from "../config";
import { chunk } from "../lib/chunk";
import { errorMessage, logError } from "../lib/log";
import {
	emptyPacerState,
	fairBudget,
	forgetLost,
	type HandOver,
	isBursting,
	manualActionVerdict,
	nextLook,
	type PacerState,
	parkedTotal,
	room,
	routeHandOvers,
	SEND_RETRY_MS,
	settleLane,
} from "./fairShare";
import { type DeliveryMessage, enqueue, type Lane, laneQueue, PACED_LANES, type PacedLane } from "./queue";

/** Messages per parked chunk: one storage row each, well within a value's size limit. */
const CHUNK_SIZE = 100;

/** Parked chunks read per storage list. */
const LIST_PAGE = 50;

/** Durable Object storage takes at most 128 keys per put or delete. */
const STORAGE_KEYS_PER_CALL = 128;

const chunkKey = (lane: PacedLane, seq: number) => `parked:${lane}:${seq.toString().padStart(12, "0")}`;

export type ByLane = Partial<Record<PacedLane, DeliveryMessage[]>>;

export interface PacerStatus {
	/** Over its fair rate in the last minute (fairShare.ts, BURSTING_FOR_MS). */
	bursting: boolean;
	/** Deliveries held back here, waiting for room in a paced lane. */
	parked: number;
}

export type ManualActionAnswer = { allowed: true } | { allowed: false; retryAfterMs: number };

export class AccountPacer extends DurableObject<Env> {
	/** Work whose lane is decided: ingest's over-rate first attempts (bulk), first attempts to isolated endpoints (isolation). */
	async admit(lane: PacedLane, messages: DeliveryMessage[]): Promise<void> {
		const now = Date.now();
		const state = await this.load();
		// Ingest sends bulk work only for an account over its fair rate.
		if (lane === "bulk") state.overRateAt = now;
		await this.pace(state, { [lane]: messages }, now);
	}

	/** Deliveries whose lane is decided here (fairShare.ts, routeHandOvers): retries, the sweep's, redeliveries. */
	async handOver(items: HandOver[]): Promise<void> {
		const now = Date.now();
		const state = await this.load();
		const { main, ...paced } = routeHandOvers(state, items, fairBudget(readSettings(this.env)), now);
		await this.pace(state, paced, now, main);
	}

	/**
	 * A consumer's report for one batch: `done` of the account's messages from
	 * `lane` finished (0 for the main lane, which is not paced), and
	 * `handOffs`, deliveries it sent on: to the isolation lane (slow or
	 * isolated endpoints), and from the main lane to the bulk lane (first
	 * attempts claimed while the account is over its fair rate, `overRate`,
	 * and what a batch did not start within its budget). A consumer of the
	 * release before the budget leaves `overRate` out: its bulk hand-offs
	 * were all over the rate.
	 */
	async settle(lane: Lane, done: number, handOffs: ByLane, overRate = Boolean(handOffs.bulk?.length)): Promise<void> {
		const now = Date.now();
		const state = await this.load();
		if (lane !== "main") settleLane(state, lane, done, now);
		if (overRate) state.overRateAt = now;
		await this.pace(state, handOffs, now);
	}

	/** Counts one manual action (Send test event, Retry now, Redeliver) within MANUAL_ACTIONS_PER_MINUTE, exactly. */
	async takeManualAction(): Promise<ManualActionAnswer> {
		const now = Date.now();
		const recent = (await this.ctx.storage.get<number[]>("manualActions")) ?? [];
		const verdict = manualActionVerdict(recent, readSettings(this.env).manualActionsPerMinute, now);
		if (!verdict.allowed) return { allowed: false, retryAfterMs: verdict.retryAfterMs };
		await this.ctx.storage.put("manualActions", verdict.recent);
		return { allowed: true };
	}

	async status(): Promise<PacerStatus> {
		const state = await this.load();
		return { bursting: isBursting(state, Date.now()), parked: parkedTotal(state) };
	}

	/** The safety net: lanes silent for LOST_AFTER_MS are taken as emptied, and parked work goes out. */
	override async alarm(): Promise<void> {
		const now = Date.now();
		const state = await this.load();
		forgetLost(state, now);
		await this.pace(state, {}, now);
	}

	private async load(): Promise<PacerState> {
		return (await this.ctx.storage.get<PacerState>("state")) ?? emptyPacerState();
	}

	/**
	 * Parks `arriving` behind what is parked already, takes from the head of
	 * each lane what fits in its room, saves all of it, then sends (`main`
	 * last, unpaced). Saved before sending, so a call that comes in while the
	 * sends are under way sees the room already taken.
	 */
	private async pace(state: PacerState, arriving: ByLane, now: number, main: DeliveryMessage[] = []): Promise<void> {
		const writes: Record<string, unknown> = {};
		const deletes: string[] = [];
		const released: ByLane = {};
		for (const lane of PACED_LANES) {
			const share = state.lanes[lane];
			const out: DeliveryMessage[] = [];
			if (share.parked > 0) {
				const { taken, exhausted } = await this.unpark(lane, room(state, lane), writes, deletes);
				out.push(...taken);
				share.parked = exhausted ? 0 : share.parked - taken.length;
			}
			let incoming = arriving[lane] ?? [];
			if (share.parked === 0) {
				const fits = Math.max(0, room(state, lane) - out.length);
				out.push(...incoming.slice(0, fits));
				incoming = incoming.slice(fits);
			}
			for (const part of chunk(incoming, CHUNK_SIZE)) writes[chunkKey(lane, state.nextSeq++)] = part;
			share.parked += incoming.length;
			if (out.length && share.waiting === 0) share.heardAt = now;
			share.waiting += out.length;
			released[lane] = out;
		}
		await this.save(state, writes, deletes);
		const failed = await this.send(released);
		await this.arm(failed.length ? await this.repark(failed, now) : state, failed.length > 0, now);
		// Unpaced; should the main lane be out of reach, the caller's own recovery applies (the retry alarm's back-off, the next sweep).
		if (main.length) await enqueue(laneQueue(this.env, "main"), main);
	}

	/** Writes `state` with the chunks changed, in one atomic write (storage calls made without an await between them are). */
	private async save(state: PacerState, writes: Record<string, unknown>, deletes: string[]): Promise<void> {
		const entries = Object.entries({ ...writes, state });
		await Promise.all([
			...chunk(deletes, STORAGE_KEYS_PER_CALL).map((keys) => this.ctx.storage.delete(keys)),
			...chunk(entries, STORAGE_KEYS_PER_CALL).map((part) => this.ctx.storage.put(Object.fromEntries(part))),
		]);
	}

	/**
	 * Up to `count` of the lane's parked messages, oldest first; their chunks
	 * are deleted (or rewritten with the rest). `exhausted`: fewer were parked
	 * than asked for, and none is left.
	 */
	private async unpark(lane: PacedLane, count: number, writes: Record<string, unknown>, deletes: string[]) {
		const taken: DeliveryMessage[] = [];
		let startAfter: string | undefined;
		while (taken.length < count) {
			const page = await this.ctx.storage.list<DeliveryMessage[]>({ prefix: `parked:${lane}:`, startAfter, limit: LIST_PAGE });
			for (const [key, messages] of page) {
				startAfter = key;
				const take = messages.slice(0, count - taken.length);
				taken.push(...take);
				if (take.length < messages.length) writes[key] = messages.slice(take.length);
				else deletes.push(key);
				if (taken.length === count) return { taken, exhausted: false };
			}
			if (page.size < LIST_PAGE) return { taken, exhausted: true };
		}
		return { taken, exhausted: false };
	}

	/** Sends what was released, lane by lane; returns the lanes whose send failed, with their messages. */
	private async send(released: ByLane): Promise<[PacedLane, DeliveryMessage[]][]> {
		const failed: [PacedLane, DeliveryMessage[]][] = [];
		for (const lane of PACED_LANES) {
			const messages = released[lane] ?? [];
			if (!messages.length) continue;
			try {
				await enqueue(laneQueue(this.env, lane), messages);
			} catch (error) {
				logError("pacer_send_failed", { lane, messages: messages.length, error: errorMessage(error), recovery: "pacer alarm" });
				failed.push([lane, messages]);
			}
		}
		return failed;
	}

	/** Messages whose send failed go back to the end of their lane's parked work, their room given back. */
	private async repark(failed: [PacedLane, DeliveryMessage[]][], now: number): Promise<PacerState> {
		const state = await this.load();
		const writes: Record<string, unknown> = {};
		for (const [lane, messages] of failed) {
			const share = state.lanes[lane];
			share.waiting = Math.max(0, share.waiting - messages.length);
			share.parked += messages.length;
			share.heardAt = now;
			for (const part of chunk(messages, CHUNK_SIZE)) writes[chunkKey(lane, state.nextSeq++)] = part;
		}
		await this.save(state, writes, []);
		return state;
	}

	/**
	 * The alarm: when the next lane would count as silent, or soon after a failed send; none when nothing waits.
	 * An alarm armed for later than that, or one that is due (this may be it, running), is set anew.
	 */
	private async arm(state: PacerState, sendFailed: boolean, now: number): Promise<void> {
		const look = nextLook(state);
		if (look === null) return;
		const at = sendFailed ? Math.min(look, now + SEND_RETRY_MS) : look;
		const armed = await this.ctx.storage.getAlarm();
		if (armed === null || armed > at || armed <= now) await this.ctx.storage.setAlarm(at);
	}
}
