/**
 * Signed ingest's replay check across accounts. A signature covers the
 * webhook-id, the timestamp and the body, not the path: a captured request
 * could be sent again to another account's path, and it verifies there for as
 * long as its timestamp is within the tolerance. So each signed webhook-id is
 * kept, deployment-wide in the directory database, for the first account that
 * accepted it until then. Within that account a repeat is answered as before
 * (the same event, through its idempotency key); another account gets a 409
 * and nothing is stored.
 *
 * One statement per signed request, an upsert: the primary key settles a race,
 * so of two accounts sending one id at once exactly one is accepted. An id kept
 * for an account whose event then failed to store stays that account's: its
 * retry is accepted, and nobody else can use a request signed for it.
 */
import { eq, lte, or, sql } from "drizzle-orm";
import { directoryDatabase } from "../db/client";
import { signedIngestIds } from "../db/schema";
import { HttpError } from "../http/errors";
import type { SignedRequest } from "./verifySignature";

/**
 * Most expired ids one cron run forgets: more than a database ingests in a
 * minute (docs/scaling.md). No index on the expiry: it would cost a row
 * written on every signed event, while the table holds only minutes of ids.
 */
export const SIGNED_ID_PURGE_LIMIT = 10_000;

/** Keeps `signed.id` for `accountId`, or throws 409 when another account accepted it while the same request still verifies. */
export async function claimSignedId(env: Env, accountId: string, signed: SignedRequest, now = Date.now()): Promise<void> {
	const kept = await directoryDatabase(env)
		.insert(signedIngestIds)
		.values({ webhookId: signed.id, accountId, expiresAt: signed.verifiesUntil })
		.onConflictDoUpdate({
			target: signedIngestIds.webhookId,
			set: { accountId, expiresAt: sql`max(${signedIngestIds.expiresAt}, excluded.expires_at)` },
			// Its own repeat (signed again later, it verifies longer), or a record whose requests no longer verify.
			setWhere: or(eq(signedIngestIds.accountId, accountId), lte(signedIngestIds.expiresAt, now)),
		})
		.returning({ accountId: signedIngestIds.accountId });
	if (!kept.length) {
		throw new HttpError(
			"idempotency_conflict",
			"This webhook-id was already accepted for another account in the last 5 minutes; a signed event is accepted once, by one account. Sign each event with its own webhook-id.",
			{ "webhook-id": "already accepted for another account" },
		);
	}
}

/** The ids no signed request can be replayed with any more, for the cron: at most SIGNED_ID_PURGE_LIMIT a run. For a batch. */
export function purgeExpiredSignedIds(env: Env, now: number) {
	const db = directoryDatabase(env);
	const expired = db
		.select({ webhookId: signedIngestIds.webhookId })
		.from(signedIngestIds)
		.where(lte(signedIngestIds.expiresAt, now))
		.limit(SIGNED_ID_PURGE_LIMIT);
	return db.delete(signedIngestIds).where(sql`${signedIngestIds.webhookId} IN ${expired}`);
}
