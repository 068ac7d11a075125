/**
 * Portal sessions, as data: what an admin link opens (accounts/links.ts).
 * Server-side (a row per session), so an operator can end every session of
 * an account at once, and deleting an account ends its sessions. The browser
 * holds a random token (auth/portalSession.ts sets it as a cookie); only its
 * hash is stored.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import { directoryDatabase } from "../db/client";
import { accountDatabaseColumn } from "../db/directory";
import { accountSessions, accounts } from "../db/schema";
import { sha256Hex } from "../lib/hashing";

/** Who is signed in to the portal: which account (and its database), as whom, and whether they may change anything. */
export interface PortalSession {
	accountId: string;
	uid: string;
	name: string;
	database: string;
	admin: string;
	readOnly: boolean;
}

/** The live session this token opened (unexpired, its account not deleted), or null. */
export async function findPortalSession(env: Env, token: string): Promise<PortalSession | null> {
	const row = await directoryDatabase(env)
		.select({
			accountId: accountSessions.accountId,
			uid: accounts.uid,
			name: accounts.name,
			database: accountDatabaseColumn,
			admin: accountSessions.admin,
			readOnly: accountSessions.readOnly,
		})
		.from(accountSessions)
		.innerJoin(accounts, and(eq(accounts.id, accountSessions.accountId), isNull(accounts.deletedAt)))
		.where(and(eq(accountSessions.tokenHash, await sha256Hex(token)), gt(accountSessions.expiresAt, Date.now())))
		.get();
	return row ?? null;
}

/** Ends the session this token opened: its row. */
export async function deletePortalSession(env: Env, token: string): Promise<void> {
	await directoryDatabase(env)
		.delete(accountSessions)
		.where(eq(accountSessions.tokenHash, await sha256Hex(token)));
}
