/**
 * An endpoint that answers each request in time but more slowly than a batch
 * brings it work. Thirty deliveries to a receiver that takes 250 ms, sent 3 at
 * a time (IN_FLIGHT_PER_ENDPOINT), hold their batch 2.5 s, and every delivery
 * queued behind that batch in the lane (other accounts' included) waits as
 * long. Once a full round of its connections has answered, its pace in this
 * batch tells how long the rest of its share would still take: past the slow
 * threshold, it is treated as slow (dispatch.ts), so its rest leaves for the
 * isolation lane like a slow send's.
 */
import { IN_FLIGHT_PER_ENDPOINT } from "./isolation";

export class EndpointPace {
	private readonly answers = new Map<string, { count: number; totalMs: number }>();

	/**
	 * A send to `endpointId` finished after `durationMs`, with `unsent` of its deliveries still to send in this batch:
	 * whether those would hold the batch longer than `limitMs` at its pace so far.
	 */
	holdsTooLong(endpointId: string, durationMs: number, unsent: number, limitMs: number): boolean {
		const pace = this.answers.get(endpointId) ?? { count: 0, totalMs: 0 };
		pace.count++;
		pace.totalMs += durationMs;
		this.answers.set(endpointId, pace);
		if (pace.count < IN_FLIGHT_PER_ENDPOINT) return false;
		return ((pace.totalMs / pace.count) * unsent) / IN_FLIGHT_PER_ENDPOINT > limitMs;
	}
}
