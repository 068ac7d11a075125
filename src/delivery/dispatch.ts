/**
 * One queue batch through its lane, so that no receiver slows another.
 *
 * The batch's deliveries are sent over the invocation's connections, shared out by endpoint and account
 * (connections.ts; fewer for the bulk lane while the main lane is behind: lanePriority.ts). They are claimed in
 * waves, each in one D1 round trip that also records what finished since the last one and writes isolation marks.
 * The next wave is claimed while the current sends are in flight (D1 time hides behind the sends), as far ahead as
 * the sends' pace allows (claimAhead.ts), so an endpoint read in its claim is fresh when the delivery is sent (a URL
 * changed a moment ago is used; a deleted or disabled endpoint's delivery is cancelled unsent).
 *
 * What is not sent leaves the batch (departures.ts), its claims handed back in D1 first so the next lane finds it
 * claimable: an endpoint's deliveries once a send to it passes slowAfterMs unanswered (marked slow on the spot, for
 * the isolation lane: only this batch waits for it, and not longer than the timeout), and what the main lane finds
 * isolated in D1; nothing more to an endpoint that answered 410; and, once a main-lane batch is past its budget
 * (MAIN_BATCH_BUDGET_MS, fairShare.ts), an endpoint's deliveries beyond one round of sends, for the bulk lane. The consumer hands these to their account's pacer.
 * When a D1 round trip fails, every claim taken for a delivery not yet sent goes back with its attempt (no request
 * was made); only a Worker that dies costs its claimed wave an attempt.
 */
import type { Settings } from "../config";
import type { Database } from "../db/client";
import { heldByMove, MOVE_WAIT_MS } from "../db/moveMarkers";
import { forgetPlacement } from "../db/placement";
import { add, count } from "../lib/counts";
import { newId } from "../lib/ids";
import { errorMessage, logError } from "../lib/log";
import { claimWave, type DeliveryTarget, isEarlyRetry, releaseClaims, unclaimedForNoSeenReason, type WaveRow, waveRows } from "./claim";
import { ClaimAhead } from "./claimAhead";
import { Connections, inTurnByAccount } from "./connections";
import { Departures, type LeavingReason } from "./departures";
import { MAIN_BATCH_BUDGET_MS } from "./fairShare";
import { HealthLedger } from "./health";
import { IN_FLIGHT_PER_ENDPOINT, type IsolationReason, isIsolated, markIsolated, slowAfterMs } from "./isolation";
import { sendsAllowed } from "./lanePriority";
import { factsRecorded } from "./operationalFacts";
import type { DeliveryMessage, Lane } from "./queue";
import { type Completed, recordAttempts } from "./record";
import { checkAndSend } from "./send";
import { type DeliveryRef, isUnfinishedStatus, keyOf, refOf } from "./stateChanges";
import { Wakeup } from "./wakeup";

/** What a batch leaves for the consumer to do once it is sent. */
interface Outcome {
	/** Failed with retries left: each needs its retry alarm armed. */
	retries: { ref: DeliveryRef; at: number }[];
	/** To be sent again at `at`: retries due later than our clock says, and deliveries a move holds here (db/moveMarkers.ts). */
	later: { message: DeliveryMessage; at: number }[];
	/** Left this invocation unsent, claims handed back: for the isolation lane (slow or isolated endpoints), or the bulk lane. */
	departures: Departures;
	/** Main-lane first attempts left unclaimed for the bulk lane: their account is over its fair rate (fairRate.ts). */
	overFairRate: DeliveryMessage[];
	/** Operational facts were added to this database's outbox (operationalFacts.ts). */
	factsRecorded: boolean;
}

/** Sends `messages` (a batch from `lane`, all of one database). */
export function dispatch(db: Database, settings: Settings, lane: Lane, messages: readonly DeliveryMessage[]): Promise<Outcome> {
	return new BatchDispatch(db, settings, lane, messages).run();
}

class BatchDispatch {
	/** The batch's deliveries, each once. */
	private readonly deliveries: readonly DeliveryMessage[];
	private waiting: DeliveryMessage[];
	/** Deliveries whose request was started (by key): their attempt is spent, whatever happens next. */
	private readonly sent = new Set<string>();
	/** Claimed, waiting for a connection (as far ahead as `ahead` lets). */
	private ready: DeliveryTarget[] = [];
	private readonly running = new Set<Promise<void>>();
	/** Sends finished and not yet recorded. */
	private completed: Completed[] = [];
	/** Claims to hand back (their endpoint left this invocation before they were sent), not yet written. */
	private released: DeliveryTarget[] = [];
	private readonly departures = new Departures();
	private readonly outcome: Outcome = { retries: [], later: [], departures: this.departures, overFairRate: [], factsRecorded: false };
	/** A main-lane batch's MAIN_BATCH_BUDGET_MS, from its first send. */
	private budget: number | null = null;
	/** Isolation marks not yet written. */
	private readonly marks = new Map<string, IsolationReason>();
	private readonly connections = new Connections();
	/** The wave the round trip under way claims. */
	private claiming: DeliveryMessage[] = [];
	/** Of `ready`, how many only their account's share of the connections holds back: they do not stop the next wave. */
	private heldByShare = 0;
	/** Deliveries claimed (or being claimed) and not yet sent, per endpoint: within its share of `ahead`. */
	private readonly queued = new Map<string, number>();
	private readonly claimId = newId("clm");
	private readonly health = new HealthLedger();
	/** Each event's text, inflated once for the batch (an event's deliveries span several waves). */
	private readonly bodies = new Map<string, Promise<string>>();
	private readonly wakeup = new Wakeup();
	private roundTrip: Promise<void> | null = null;
	private readonly ahead = new ClaimAhead();
	private failure: unknown = null;

	constructor(
		private readonly db: Database,
		private readonly settings: Settings,
		private readonly lane: Lane,
		messages: readonly DeliveryMessage[],
	) {
		// A message delivered twice in one batch is one delivery.
		this.deliveries = [...new Map(messages.map((message) => [keyOf(message), message])).values()];
		this.waiting = inTurnByAccount(this.deliveries);
	}

	async run(): Promise<Outcome> {
		try {
			while (this.failure === null && (this.waiting.length || this.ready.length || this.running.size || this.roundTrip)) {
				this.startSends();
				this.startRoundTrip();
				await this.wakeup.wait();
			}
			if (this.failure !== null) throw this.failure;
			await this.exchange([]);
			return this.outcome;
		} catch (error) {
			await this.releaseUnsent();
			throw error;
		} finally {
			clearTimeout(this.budget);
			// Never leave a send running past the invocation, even when D1 failed.
			await Promise.all(this.running);
		}
	}

	/** After a failure: claims this invocation holds for deliveries it never sent go back, their attempt restored. */
	private async releaseUnsent(): Promise<void> {
		const unsent = this.deliveries.filter((message) => !this.sent.has(keyOf(message))).map(refOf);
		if (!unsent.length) return;
		try {
			await releaseClaims(this.db, unsent, this.claimId);
		} catch (error) {
			// D1 is still out of reach: their leases end and the sweep takes them up, each with one attempt spent.
			logError("release_failed", { deliveries: unsent.length, error: errorMessage(error), recovery: "claim lease" });
		}
	}

	/** Starts claimed deliveries while their share of the connections allows. */
	private startSends(): void {
		// The accounts with a delivery this invocation may still send: waiting, being claimed, or claimed.
		const waiting = this.waiting.filter((message) => !this.departures.isLeaving(message.endpointId));
		const accountsToSend = new Set([...waiting, ...this.claiming, ...this.ready].map((delivery) => delivery.accountId));
		const { start, rest, heldByShare } = this.connections.pick(this.ready, accountsToSend, sendsAllowed(this.lane));
		[this.ready, this.heldByShare] = [rest, heldByShare];
		for (const target of start) this.send(target);
	}

	/** Starts the next round trip if none is under way and there is something to claim or to write. */
	private startRoundTrip(): void {
		if (this.roundTrip) return;
		// The next wave once half of what may wait for a connection has gone out.
		const awaiting = this.ready.length - this.heldByShare;
		const wave = awaiting < (sendsAllowed(this.lane) * this.ahead.factor()) / 2 ? this.nextWave(awaiting) : [];
		if (!wave.length && !this.marks.size && !this.released.length) return;
		this.claiming = wave;
		this.roundTrip = this.exchange(wave)
			.catch((error) => {
				this.failure = error;
			})
			.finally(() => {
				this.roundTrip = null;
				this.claiming = [];
				this.wakeup.fire();
			});
	}

	/** The next wave: deliveries that can be sent soon after this round trip, within the connections and each endpoint's share. */
	private nextWave(awaiting: number): DeliveryMessage[] {
		const factor = this.ahead.factor();
		const room = sendsAllowed(this.lane) * factor - awaiting;
		const wave: DeliveryMessage[] = [];
		const planned = new Map<string, number>();
		this.waiting = this.waiting.filter((message) => {
			if (this.departures.take(message)) return false;
			const ahead = count(this.queued, message.endpointId) + count(planned, message.endpointId);
			if (wave.length >= room || ahead >= IN_FLIGHT_PER_ENDPOINT * factor) return true;
			add(planned, message.endpointId, 1);
			wave.push(message);
			return false;
		});
		return wave;
	}

	/** One D1 round trip: hand back released claims, record what finished, write marks, claim `wave`. */
	private async exchange(wave: DeliveryMessage[]): Promise<void> {
		const now = Date.now();
		const released = this.released.splice(0);
		const record = recordAttempts(this.db, this.settings, this.claimId, this.completed.splice(0), now, this.health);
		const marks = [...this.marks].map(([endpointId, reason]) => markIsolated(this.db, endpointId, reason, now));
		this.marks.clear();
		const statements = [
			...(released.length ? [releaseClaims(this.db, released.map(refOf), this.claimId)] : []),
			...record.statements,
			...marks,
			...(wave.length ? claimWave(this.db, this.settings, this.lane, wave, this.claimId, now, [...this.bodies.keys()]) : []),
		];
		for (const message of wave) add(this.queued, message.endpointId, 1);
		const [first, ...rest] = statements;
		const results = first ? await this.db.batch([first, ...rest]) : [];
		if (factsRecorded(statements, results)) this.outcome.factsRecorded = true;
		for (const result of record.results) {
			if (result.state === "retrying") this.outcome.retries.push({ ref: result.ref, at: result.nextAttemptAt });
		}
		if (!wave.length) return;
		const rows = await waveRows(results[results.length - 1] as Parameters<typeof waveRows>[0], this.bodies);
		this.sortClaimed(wave, rows, await this.heldByMove(wave, rows, now), now);
	}

	/** The accounts of `wave` a move holds in this database, looked up only for deliveries unclaimed for no reason seen (claim.ts). */
	private async heldByMove(wave: DeliveryMessage[], rows: WaveRow[], now: number): Promise<Set<string>> {
		const unexplained = wave.filter((message) => unclaimedForNoSeenReason(rowOf(rows, message), this.lane, this.settings, now));
		const accounts = unexplained.map((message) => message.accountId);
		return accounts.length ? heldByMove(this.db, accounts) : new Set();
	}

	/** After a claim: what to send, what to hand to the isolation or bulk lane, what to send again later; the rest needs nothing here. */
	private sortClaimed(wave: DeliveryMessage[], rows: WaveRow[], held: Set<string>, now: number): void {
		for (const message of wave) {
			const row = rowOf(rows, message);
			if (row?.target && !this.departures.isLeaving(row.endpointId)) {
				this.ready.push(row.target);
				continue;
			}
			add(this.queued, message.endpointId, -1);
			if (row?.target) this.release(row.target);
			if (held.has(message.accountId)) {
				// Its account is moving (or has moved) away from this database: look again shortly, reading the directory afresh.
				forgetPlacement(message.accountId);
				this.outcome.later.push({ message, at: now + MOVE_WAIT_MS });
			} else if (row && this.lane !== "isolation" && isIsolated(row.isolatedUntil, now) && isUnfinishedStatus(row.status))
				this.departures.add(message, "slow");
			else if (row?.overFairRate && isUnfinishedStatus(row.status)) this.outcome.overFairRate.push(message);
			else if (row && isEarlyRetry(row, this.settings, now)) this.outcome.later.push({ message, at: row.nextAttemptAt as number });
			// Otherwise: finished, cancelled, in flight elsewhere, or out of attempts (the sweep ends it).
		}
	}

	/** A claimed delivery that will not be sent here: its claim goes back, and it leaves with its endpoint. */
	private release(target: DeliveryTarget): void {
		this.released.push(target);
		this.departures.take(refOf(target));
	}

	/** Past the main lane's budget: the deliveries not yet started of each endpoint with more than one round of sends left leave. */
	private pastBudget(): void {
		const unstarted = new Map<string, number>();
		for (const { endpointId } of [...this.waiting, ...this.claiming, ...this.ready]) add(unstarted, endpointId, 1);
		for (const [endpointId, left] of unstarted) if (left > IN_FLIGHT_PER_ENDPOINT) this.leave(endpointId, "late");
		this.wakeup.fire();
	}

	private send(target: DeliveryTarget): void {
		const endpoint = target.endpointId;
		const slowAfter = slowAfterMs(this.settings);
		this.sent.add(keyOf(target));
		if (this.lane === "main") this.budget ??= setTimeout(() => this.pastBudget(), MAIN_BATCH_BUDGET_MS);
		add(this.queued, endpoint, -1);
		const slowTimer = setTimeout(() => {
			this.isolate(endpoint, "slow");
			this.wakeup.fire();
		}, slowAfter);
		const sent = checkAndSend(target, this.settings).then((result) => {
			clearTimeout(slowTimer);
			this.connections.closed(target);
			this.running.delete(sent);
			this.completed.push({ target, result });
			this.ahead.sent(result.durationMs);
			if (result.durationMs >= slowAfter) this.isolate(endpoint, result.statusCode === null ? "unresponsive" : "slow");
			if (result.statusCode === 410) this.leave(endpoint, "gone");
			this.wakeup.fire();
		});
		this.running.add(sent);
	}

	private isolate(endpointId: string, reason: IsolationReason): void {
		if (this.marks.get(endpointId) !== "unresponsive") this.marks.set(endpointId, reason);
		this.leave(endpointId, "slow");
	}

	/** The endpoint's deliveries not yet sent leave this invocation; claims already taken for them go back. */
	private leave(endpointId: string, why: LeavingReason): void {
		if (!this.departures.mark(endpointId, why)) return;
		const [staying, leaving] = [
			this.ready.filter((target) => target.endpointId !== endpointId),
			this.ready.filter((target) => target.endpointId === endpointId),
		];
		this.ready = staying;
		for (const target of leaving) {
			add(this.queued, endpointId, -1);
			this.release(target);
		}
	}
}

function rowOf(rows: WaveRow[], message: DeliveryMessage): WaveRow | undefined {
	return rows.find((entry) => entry.accountId === message.accountId && entry.deliveryId === message.deliveryId);
}
