/**
 * Moving an account to another database, as the operator asks for it and follows it: starting a move (checked, then
 * handed to the account's AccountMover, accountMover.ts) and each account's move under way, as the accounts API
 * and pages show it (`moving_to`, `move`). While a move runs, the account keeps working: see docs/scaling.md,
 * "Moving an account".
 */
import { eq } from "drizzle-orm";
import { boundDatabase, databaseNames, directoryDatabase, inList } from "../db/client";
import { DEFAULT_ACCOUNT_ID } from "../db/defaultAccount";
import type { Account } from "../db/directory";
import { accountMoves } from "../db/moveSchema";
import { HttpError } from "../http/errors";
import { iso } from "../lib/time";
import { moverOf } from "./accountMover";
import type { AccountMoveView, MoveStarted } from "./accountResponses";

/**
 * Why `account` cannot move to the database bound as `database`, if it cannot, in this order: 409 for the default
 * account, wherever it is asked to go (its routes, `/events` and `/api/…`, name DB without reading the directory);
 * 503 when its own database is not bound (nothing to copy from); 422 when none is bound as `database`; 409 when the
 * account is there already. Asked again by startMove; the console asks it before its confirmation page.
 */
export function refuseImpossibleMove(env: Env, account: Account, database: string): void {
	if (account.id === DEFAULT_ACCOUNT_ID) {
		throw new HttpError("account_protected", "The default account stays on DB: /events and /api/… reach it there without the directory.");
	}
	boundDatabase(env, account.database);
	const bound = databaseNames(env);
	if (!bound.includes(database)) {
		throw new HttpError("validation_failed", `No database is bound as ${JSON.stringify(database)}. Bound: ${bound.join(", ")}.`, {
			database: `one of ${bound.join(", ")}`,
		});
	}
	if (account.database === database) {
		throw new HttpError("same_database", `The account's data is already in ${database}. Name another database to move it to.`);
	}
}

/** Starts moving `account`'s data to `database` (refuseImpossibleMove), or 409 when a move of it is under way. */
export async function startMove(env: Env, account: Account, database: string): Promise<MoveStarted> {
	refuseImpossibleMove(env, account, database);
	const directory = directoryDatabase(env);
	const [started] = await directory
		.insert(accountMoves)
		.values({ accountId: account.id, target: database, state: "copying", startedAt: Date.now() })
		.onConflictDoNothing()
		.returning({ target: accountMoves.target });
	if (!started) {
		throw new HttpError(
			"move_in_progress",
			"This account is being moved already. Follow it with GET /api/accounts/{uid}; start another once it has ended.",
		);
	}
	try {
		await moverOf(env, account.id).start({ accountId: account.id, source: account.database, target: database });
	} catch (error) {
		// Nothing started: the account is not shown as moving.
		await directory.delete(accountMoves).where(eq(accountMoves.accountId, account.id));
		throw error;
	}
	return { uid: account.uid, database: account.database, moving_to: database };
}

/** Each of `accountIds`' move under way, by account id (`moving_to` and `move` as the API shows them); none: absent. */
export async function movesOf(env: Env, accountIds: readonly string[]): Promise<Map<string, AccountMoveView>> {
	if (!accountIds.length) return new Map();
	const rows = await directoryDatabase(env).select().from(accountMoves).where(inList(accountMoves.accountId, accountIds));
	return new Map(
		rows.map((row) => [
			row.accountId,
			{ moving_to: row.target, move: { state: row.state, copied_rows: row.copiedRows, started_at: iso(row.startedAt) } },
		]),
	);
}

/** What an account without a move under way shows. */
export const NOT_MOVING: AccountMoveView = { moving_to: null, move: null };
