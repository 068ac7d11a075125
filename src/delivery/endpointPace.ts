/**
 * An endpoint that answers each request in time but more slowly than a batch
 * brings it work. Thirty deliveries to a receiver that takes 250 ms, sent 3 at
 * a time (IN_FLIGHT_PER_ENDPOINT), hold their batch 2.5 s, and every delivery
 * queued behind that batch in the lane (other accounts' included) waits as
 * long. Once a full round of its connections has answered, its pace in this
 * batch tells how long the rest of its share would still take: past the slow
 * threshold, it is treated as slow (dispatch.ts), so its rest leaves for the
 * isolation lane like a slow send's.
 *
 * A busy isolate stretches what its sends measure by tens of milliseconds, or
 * more (seen in the bench: one endpoint per event, over a hundred a second,
 * was isolated though it answered in a few). So the pace is the endpoint's
 * fastest answer in the batch, not its mean, and only an endpoint whose
 * fastest answer takes 1/FAST_SHARE of the threshold or more (125 ms by
 * default) is judged: a faster one that still fills a batch is its account's
 * volume, which fair share paces.
 */
import { IN_FLIGHT_PER_ENDPOINT } from "./isolation";

const FAST_SHARE = 8;

export class EndpointPace {
	private readonly answers = new Map<string, { count: number; fastestMs: number }>();

	/**
	 * A send to `endpointId` finished after `durationMs`, with `unsent` of its deliveries still to send in this batch:
	 * whether those would hold the batch longer than `limitMs` at its pace so far.
	 */
	holdsTooLong(endpointId: string, durationMs: number, unsent: number, limitMs: number): boolean {
		const pace = this.answers.get(endpointId) ?? { count: 0, fastestMs: durationMs };
		pace.count++;
		pace.fastestMs = Math.min(pace.fastestMs, durationMs);
		this.answers.set(endpointId, pace);
		if (pace.count < IN_FLIGHT_PER_ENDPOINT || pace.fastestMs < limitMs / FAST_SHARE) return false;
		return (pace.fastestMs * unsent) / IN_FLIGHT_PER_ENDPOINT > limitMs;
	}
}
