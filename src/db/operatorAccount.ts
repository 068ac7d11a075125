/**
 * The operator's own account: it holds the operational endpoints (where
 * Hivepost tells the operator that an endpoint is failing, was disabled,
 * recovered, or that a delivery failed) and those messages, as events of its
 * own, so they go through the same pipeline as ticket events. Created by
 * migration 0007 on `DB`, always there. Its uid begins with "_", which no
 * helpdesk account's uid can (db/directory.ts UID_PATTERN): no path, list or
 * portal link reaches it as an account.
 */
import { type AccountScope, accountScope, DIRECTORY_BINDING } from "./client";

export const OPERATOR_ACCOUNT = {
	id: "acc_operator",
	uid: "_operator",
	name: "Operational webhooks",
	database: DIRECTORY_BINDING,
} as const;

export function isOperatorAccount(account: { id: string }): boolean {
	return account.id === OPERATOR_ACCOUNT.id;
}

/** The operator's account and its database (always DB): where operational endpoints and their messages are. */
export function operatorScope(env: Env): AccountScope {
	return accountScope(env, OPERATOR_ACCOUNT);
}
