/**
 * Who changed what on an endpoint: every change made through the API, the
 * operator's pages or an account's portal is recorded in the same batch as the
 * change itself, with its actor ("operator", or the admin label of the portal
 * link that signed the person in), and shown on the endpoint's page. Details
 * name what changed, never a secret or a header value.
 */
import { and, desc, eq, type SQL } from "drizzle-orm";
import { type AccountScope, insertIf } from "../db/client";
import { auditLog } from "../db/schema";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";

/** The actor of changes made with the operator's credentials (admin token, session or Cloudflare Access). */
export const OPERATOR = "operator";

export type AuditAction =
	| "endpoint created"
	| "endpoint edited"
	| "endpoint enabled"
	| "endpoint disabled"
	| "endpoint deleted"
	| "secret rotated"
	| "header set"
	| "header removed"
	| "test event sent"
	| "deliveries redelivered"
	| "delivery retried";

export const AUDIT_PAGE_SIZE = 50;

/** The statement that records a change, for its batch; with `onlyIf`, only while that holds (a change fenced on what it read). */
export function recordChange(
	scope: AccountScope,
	endpointId: string,
	actor: string,
	action: AuditAction,
	detail: string | null,
	now = Date.now(),
	onlyIf?: SQL,
) {
	const row = { accountId: scope.accountId, endpointId, id: newId("aud", now), at: now, actor, action, detail };
	return onlyIf ? insertIf(scope.db, auditLog, row, onlyIf) : scope.db.insert(auditLog).values(row);
}

/** An endpoint's record, newest first. */
export async function listChanges(scope: AccountScope, endpointId: string) {
	const rows = await scope.db
		.select()
		.from(auditLog)
		.where(and(eq(auditLog.accountId, scope.accountId), eq(auditLog.endpointId, endpointId)))
		.orderBy(desc(auditLog.id))
		.limit(AUDIT_PAGE_SIZE);
	return rows.map((row) => ({ at: iso(row.at), actor: row.actor, action: row.action, detail: row.detail }));
}

export type AuditEntry = Awaited<ReturnType<typeof listChanges>>[number];
