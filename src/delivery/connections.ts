/**
 * An invocation's outgoing connections, shared out (the limits are in isolation.ts): LANES_PER_INVOCATION in all
 * (fewer in the bulk lane while the main lane is behind: lanePriority.ts), at most IN_FLIGHT_PER_ENDPOINT to one
 * endpoint, and at most IN_FLIGHT_PER_ACCOUNT to one account's endpoints while another account has a delivery in the
 * batch still to send. A slow endpoint, or one account's several dead ones, can thus hold at most half of them until
 * their timeout; alone in a batch, an account uses them all. The batch is claimed by account in turn, so that the
 * other accounts' deliveries come early in the waves, and what the share holds back does not stop the next wave
 * (dispatch.ts).
 */
import { add, count } from "../lib/counts";
import { IN_FLIGHT_PER_ACCOUNT, IN_FLIGHT_PER_ENDPOINT } from "./isolation";

/** As if no other account had a delivery to send: what the account's share alone holds back may start. */
const ONE_ACCOUNT: ReadonlySet<string> = new Set();

interface Send {
	accountId: string;
	endpointId: string;
}

export class Connections {
	private open = 0;
	private readonly byEndpoint = new Map<string, number>();
	private readonly byAccount = new Map<string, number>();

	/**
	 * Picks from `ready`, in order, the sends that may start now (`accountsToSend`: the accounts with a delivery in the
	 * batch still to send; `allowed`: the connections it may have open now), counting them open; returns them, the
	 * rest, and how many of the rest only their account's share holds back.
	 */
	pick<T extends Send>(
		ready: readonly T[],
		accountsToSend: ReadonlySet<string>,
		allowed: number,
	): { start: T[]; rest: T[]; heldByShare: number } {
		const start: T[] = [];
		const rest: T[] = [];
		let heldByShare = 0;
		for (const send of ready) {
			if (this.mayStart(send, accountsToSend, allowed)) {
				this.change(send, 1);
				start.push(send);
			} else {
				if (this.mayStart(send, ONE_ACCOUNT, allowed)) heldByShare++;
				rest.push(send);
			}
		}
		return { start, rest, heldByShare };
	}

	private mayStart(send: Send, accountsToSend: ReadonlySet<string>, allowed: number): boolean {
		const shared = accountsToSend.size > (accountsToSend.has(send.accountId) ? 1 : 0);
		return (
			this.open < allowed &&
			count(this.byEndpoint, send.endpointId) < IN_FLIGHT_PER_ENDPOINT &&
			!(shared && count(this.byAccount, send.accountId) >= IN_FLIGHT_PER_ACCOUNT)
		);
	}

	closed(send: Send): void {
		this.change(send, -1);
	}

	private change(send: Send, delta: number): void {
		this.open += delta;
		add(this.byEndpoint, send.endpointId, delta);
		add(this.byAccount, send.accountId, delta);
	}
}

/** `deliveries` taken by account in turn (a1, b1, a2, b2, a3, …), each account's in their order. */
export function inTurnByAccount<T extends { accountId: string }>(deliveries: readonly T[]): T[] {
	const lists = [...Map.groupBy(deliveries, (delivery) => delivery.accountId).values()];
	const longest = Math.max(0, ...lists.map((list) => list.length));
	return Array.from({ length: longest }, (_, i) => lists.flatMap((list) => (i < list.length ? [list[i]] : []))).flat();
}
