/**
 * What leaves a batch unsent, by endpoint (dispatch.ts): the deliveries of an
 * endpoint that turned slow go to the isolation lane; those of an endpoint
 * sent more than it takes, in a main-lane batch past its budget
 * (MAIN_BATCH_BUDGET_MS, fairShare.ts), to the bulk lane;
 * those of an endpoint that answered 410 Gone nowhere (the 410's record
 * cancels them).
 */
import type { DeliveryMessage } from "./queue";

export type LeavingReason = "slow" | "gone" | "late";

export class Departures {
	private readonly reasons = new Map<string, LeavingReason>();
	/** For the isolation lane. */
	readonly toIsolation: DeliveryMessage[] = [];
	/** For the bulk lane. */
	readonly toBulk: DeliveryMessage[] = [];

	isLeaving(endpointId: string): boolean {
		return this.reasons.has(endpointId);
	}

	/**
	 * The endpoint's unsent deliveries leave from now on; false when they already do for a reason that stands: 410
	 * Gone over everything, and past the budget over nothing.
	 */
	mark(endpointId: string, why: LeavingReason): boolean {
		const current = this.reasons.get(endpointId);
		if (current === "gone" || (current && why === "late")) return false;
		this.reasons.set(endpointId, why);
		return true;
	}

	/** Takes `message` along if its endpoint is leaving: true when it left. */
	take(message: DeliveryMessage): boolean {
		const why = this.reasons.get(message.endpointId);
		if (why) this.add(message, why);
		return why !== undefined;
	}

	/** `message` leaves for `why`'s lane (an isolated endpoint's found in D1, say), or for none when its endpoint is gone. */
	add(message: DeliveryMessage, why: LeavingReason): void {
		if (why === "slow") this.toIsolation.push(message);
		else if (why === "late") this.toBulk.push(message);
	}
}
