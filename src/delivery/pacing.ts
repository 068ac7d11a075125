/**
 * How the rest of the Worker reaches the account pacers (accountPacer.ts):
 * routed deliveries onto their lanes (the main lane straight, the paced lanes
 * through the account's pacer), hand-overs whose lane the pacer decides, and
 * the pacer of an account for its reports, manual actions and status.
 */
import { errorMessage, logError } from "../lib/log";
import type { PacerStatus } from "./accountPacer";
import type { HandOver } from "./fairShare";
import { isIsolated } from "./isolation";
import { type DeliveryMessage, enqueue, laneQueue, messageOf, PACED_LANES, type Routed } from "./queue";

export function pacerOf(env: Env, accountId: string) {
	return env.ACCOUNT_PACER.getByName(accountId);
}

/** `items` grouped by account, in the order their accounts first appear. */
export function byAccount<T extends { accountId: string }>(items: readonly T[]): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) groups.set(item.accountId, [...(groups.get(item.accountId) ?? []), item]);
	return groups;
}

/**
 * Puts deliveries already committed (and, for the paced lanes, held) in D1 on
 * their lanes: the main lane's straight away, the others through their
 * account's pacer, which `defer` may run after the response (waitUntil). A
 * failure is only logged: the sweep takes up what is still pending later.
 */
export async function sendRouted(env: Env, routed: readonly Routed[], defer?: (work: Promise<void>) => void): Promise<void> {
	const main = routed.filter((entry) => entry.lane === "main").map(messageOf);
	try {
		if (main.length) await enqueue(laneQueue(env, "main"), main);
	} catch (error) {
		logError("enqueue_failed", { deliveries: main.length, error: errorMessage(error), recovery: "sweep" });
	}
	for (const lane of PACED_LANES) {
		const messages = routed.filter((entry) => entry.lane === lane).map(messageOf);
		for (const [accountId, own] of byAccount(messages)) {
			const handed = pacerOf(env, accountId)
				.admit(lane, own)
				.catch((error) =>
					logError("pacer_handoff_failed", { lane, deliveries: own.length, error: errorMessage(error), recovery: "sweep" }),
				);
			if (defer) defer(handed);
			else await handed;
		}
	}
}

/**
 * Hands deliveries to their accounts' pacers, which decide each one's lane,
 * one call per account; returns those handed over. A pacer out of reach is
 * logged, and its deliveries are left to `recovery` (they stay unheld).
 */
export async function handOver(env: Env, items: readonly HandOver[], recovery: string): Promise<HandOver[]> {
	const handed = await Promise.all(
		[...byAccount(items)].map(async ([accountId, own]) => {
			try {
				await pacerOf(env, accountId).handOver(own);
				return own;
			} catch (error) {
				logError("pacer_handoff_failed", { account_id: accountId, deliveries: own.length, error: errorMessage(error), recovery });
				return [];
			}
		}),
	);
	return handed.flat();
}

/** A delivery to hand over, with its endpoint's isolation as D1 has it now. */
export function handOverOf(message: DeliveryMessage, isolatedUntil: number | null, now: number): HandOver {
	const { accountId, deliveryId, endpointId } = message;
	return { accountId, deliveryId, endpointId, isolated: isIsolated(isolatedUntil, now) };
}

/** What admins see of an account's pacer; one out of reach reads as quiet (logged): a view never fails for it. */
export async function pacerStatus(env: Env, accountId: string): Promise<PacerStatus> {
	try {
		return await pacerOf(env, accountId).status();
	} catch (error) {
		logError("pacer_status_failed", { account_id: accountId, error: errorMessage(error) });
		return { bursting: false, parked: 0 };
	}
}

/** The account is over its share right now: bursting, or with work parked in its pacer. */
export async function isOverShare(env: Env, accountId: string): Promise<boolean> {
	const { bursting, parked } = await pacerStatus(env, accountId);
	return bursting || parked > 0;
}
