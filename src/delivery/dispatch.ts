/**
 * One queue batch through its lane, so that no receiver slows another.
 *
 * The batch's deliveries are sent in waves over the invocation's
 * LANES_PER_INVOCATION connections, at most IN_FLIGHT_PER_ENDPOINT to one
 * endpoint at a time. Each wave costs one D1 round trip, right before it is
 * sent: it records what finished since the last one, writes isolation marks,
 * re-reads the wave's endpoints and claims the wave (so a claim's lease
 * covers a send that starts at once, and a URL changed a moment ago is used).
 * A new wave starts when half the connections are free, or when every send
 * still running has passed the slow threshold.
 *
 * A send unanswered after slowAfterMs marks its endpoint slow on the spot:
 * its remaining deliveries leave this invocation for the isolation lane (or,
 * in the isolation lane, go back to its end), so only this batch waits for
 * it, and not longer than the timeout. An endpoint that answered 410 earlier
 * in the batch gets nothing more (the 410's record cancels the rest).
 */
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { newId } from "../ids";
import { type Completed, checkAndSend, claimWave, type DeliveryTarget, recordAttempts, waveRows } from "./attempt";
import { IN_FLIGHT_PER_ENDPOINT, type IsolationReason, LANES_PER_INVOCATION, markIsolated, slowAfterMs } from "./isolation";
import { type DeliveryRef, holdForQueue, isUnfinishedStatus, maxAttempts } from "./lifecycle";
import { type DeliveryMessage, enqueue } from "./queue";

/**
 * A retry due at most this far ahead of our clock was handed over by a clock
 * running ahead of ours: it is sent again when due. One due later is a stale
 * duplicate; its alarm hands it over in time.
 */
const CLOCK_SKEW_MS = 60_000;

/** A wave waits for this many free connections while other sends are still expected back soon. */
const MIN_WAVE = LANES_PER_INVOCATION / 2;

export interface DispatchOutcome {
	/** Failed with retries left: each needs its retry alarm armed. */
	retries: { ref: DeliveryRef; at: number }[];
	/** Retries due later than this invocation's clock says (the sender's clock ran ahead): to be sent again when due. */
	early: { message: DeliveryMessage; at: number }[];
}

/**
 * Sends `messages` (a batch from one lane, all of one database). Deliveries
 * that leave this invocation are put on `isolationQueue` and held there.
 */
export function dispatch(db: Database, settings: Settings, isolationQueue: Queue<DeliveryMessage>, messages: readonly DeliveryMessage[]) {
	return new BatchDispatch(db, settings, isolationQueue, messages).run();
}

/** Wakes the dispatch loop when a send finishes or passes the slow threshold. */
class Wakeup {
	private resolve: () => void = () => {};
	private promise = this.reset();

	private reset() {
		return new Promise<void>((resolve) => {
			this.resolve = resolve;
		});
	}

	fire() {
		this.resolve();
	}

	async wait() {
		await this.promise;
		this.promise = this.reset();
	}
}

class BatchDispatch {
	private waiting: DeliveryMessage[];
	private readonly handedOff: DeliveryMessage[] = [];
	private readonly outcome: DispatchOutcome = { retries: [], early: [] };
	/** Sends finished and not yet recorded. */
	private completed: Completed[] = [];
	/** Isolation marks not yet written. */
	private readonly marks = new Map<string, IsolationReason>();
	/** Endpoints whose remaining deliveries leave this invocation: slow ones, and ones that answered 410. */
	private readonly leaving = new Map<string, "slow" | "gone">();
	private readonly inFlight = new Map<string, number>();
	private readonly running = new Set<Promise<void>>();
	/** Deliveries whose send has not yet passed the slow threshold. */
	private readonly fresh = new Set<string>();
	private readonly claimId = newId("clm");
	private readonly wakeup = new Wakeup();

	constructor(
		private readonly db: Database,
		private readonly settings: Settings,
		private readonly isolationQueue: Queue<DeliveryMessage>,
		messages: readonly DeliveryMessage[],
	) {
		// A message delivered twice in one batch is one delivery.
		this.waiting = [...new Map(messages.map((message) => [`${message.accountId}/${message.deliveryId}`, message])).values()];
	}

	async run(): Promise<DispatchOutcome> {
		try {
			while (this.waiting.length || this.running.size) {
				const wave = this.nextWave();
				if (wave.length || this.marks.size) await this.roundTrip(wave);
				else await this.wakeup.wait();
			}
			if (this.handedOff.length) await enqueue(this.isolationQueue, this.handedOff);
			await this.roundTrip([]);
			return this.outcome;
		} finally {
			// Never leave a send running past the invocation, even when D1 failed.
			await Promise.all(this.running);
		}
	}

	/** The next wave: deliveries that can be sent now, within the free connections and each endpoint's share. */
	private nextWave(): DeliveryMessage[] {
		const free = LANES_PER_INVOCATION - this.running.size;
		if (free === 0 || (free < MIN_WAVE && this.fresh.size > 0)) return [];
		const wave: DeliveryMessage[] = [];
		const planned = new Map<string, number>();
		this.waiting = this.waiting.filter((message) => {
			const leaving = this.leaving.get(message.endpointId);
			if (leaving) {
				if (leaving === "slow") this.handedOff.push(message);
				return false;
			}
			const load = (this.inFlight.get(message.endpointId) ?? 0) + (planned.get(message.endpointId) ?? 0);
			if (wave.length === free || load >= IN_FLIGHT_PER_ENDPOINT) return true;
			planned.set(message.endpointId, (planned.get(message.endpointId) ?? 0) + 1);
			wave.push(message);
			return false;
		});
		return wave;
	}

	/** One D1 round trip: record what finished, write marks (and, at the end, hold what was handed off), claim `wave`, start it. */
	private async roundTrip(wave: DeliveryMessage[]): Promise<void> {
		const now = Date.now();
		const record = recordAttempts(this.db, this.settings, this.claimId, this.completed.splice(0), now);
		const marks = [...this.marks].map(([endpointId, reason]) => markIsolated(this.db, endpointId, reason, now));
		this.marks.clear();
		const last = wave.length === 0 && this.waiting.length === 0 && this.running.size === 0;
		const hold = last && this.handedOff.length ? [holdForQueue(this.db, this.handedOff, this.settings, now)] : [];
		const claim = wave.length ? claimWave(this.db, this.settings, wave, this.claimId, now) : [];
		const [first, ...rest] = [...record.statements, ...marks, ...hold, ...claim];
		if (!first) return;
		const results = await this.db.batch([first, ...rest]);
		for (const result of record.results) {
			if (result.state === "retrying") this.outcome.retries.push({ ref: result.ref, at: result.nextAttemptAt });
		}
		if (!wave.length) return;
		const rows = waveRows(results[results.length - 1] as Parameters<typeof waveRows>[0]);
		for (const message of wave) {
			const row = rows.find((entry) => entry.accountId === message.accountId && entry.deliveryId === message.deliveryId);
			if (row?.target) this.start(row.target);
			else if (row && this.isEarlyRetry(row, now)) this.outcome.early.push({ message, at: row.nextAttemptAt as number });
			// Otherwise there is nothing to do here: finished, cancelled, in flight elsewhere, or out of attempts (the sweep ends it).
		}
	}

	/** A retry with attempts left whose due time is a little ahead of our clock. */
	private isEarlyRetry(row: { status: string; attemptCount: number; nextAttemptAt: number | null }, now: number): boolean {
		return (
			isUnfinishedStatus(row.status) &&
			row.attemptCount > 0 &&
			row.attemptCount < maxAttempts(this.settings) &&
			row.nextAttemptAt !== null &&
			row.nextAttemptAt > now &&
			row.nextAttemptAt <= now + CLOCK_SKEW_MS
		);
	}

	private start(target: DeliveryTarget): void {
		const endpoint = target.endpointId;
		const slowAfter = slowAfterMs(this.settings);
		this.inFlight.set(endpoint, (this.inFlight.get(endpoint) ?? 0) + 1);
		this.fresh.add(target.deliveryId);
		const slowTimer = setTimeout(() => {
			this.fresh.delete(target.deliveryId);
			this.isolate(endpoint, "slow");
			this.wakeup.fire();
		}, slowAfter);
		const send = checkAndSend(target, this.settings).then((result) => {
			clearTimeout(slowTimer);
			this.fresh.delete(target.deliveryId);
			this.inFlight.set(endpoint, (this.inFlight.get(endpoint) ?? 1) - 1);
			this.running.delete(send);
			this.completed.push({ target, result });
			if (result.durationMs >= slowAfter) this.isolate(endpoint, result.statusCode === null ? "unresponsive" : "slow");
			if (result.statusCode === 410) this.leaving.set(endpoint, "gone");
			this.wakeup.fire();
		});
		this.running.add(send);
	}

	private isolate(endpointId: string, reason: IsolationReason): void {
		if (this.leaving.get(endpointId) !== "gone") this.leaving.set(endpointId, "slow");
		if (this.marks.get(endpointId) !== "unresponsive") this.marks.set(endpointId, reason);
	}
}
