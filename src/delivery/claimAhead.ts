/**
 * How far a batch's claims may run ahead of its sends (dispatch.ts). One
 * wave (a connection's worth per connection) until a send has finished, then
 * as many waves as the invocation's mean send fits into CLAIM_FRESH_MS, at
 * most MAX_AHEAD_FACTOR: fast endpoints cost a few D1 round trips per batch,
 * and the delivery claimed last still waits about CLAIM_FRESH_MS for its
 * connection, overall and behind its endpoint's in-flight share, so what it
 * is sent with (read in its claim) is that fresh.
 */

/** How long a claimed delivery may expect to wait for its connection. */
export const CLAIM_FRESH_MS = 250;

/** Claims never run further ahead than this many times the connections (and each endpoint's in-flight share). */
export const MAX_AHEAD_FACTOR = 8;

export class ClaimAhead {
	private sends = 0;
	private totalMs = 0;

	/** A send of this invocation finished after `durationMs`. */
	sent(durationMs: number): void {
		this.sends++;
		this.totalMs += durationMs;
	}

	/** Connections' worth (and in-flight shares' worth per endpoint) to claim ahead of the sends. */
	factor(): number {
		if (!this.sends) return 1;
		const meanMs = Math.max(1, this.totalMs / this.sends);
		return Math.min(MAX_AHEAD_FACTOR, Math.max(1, Math.floor(CLAIM_FRESH_MS / meanMs)));
	}
}
