/**
 * The OpenAPI description of /api/accounts (api/accounts.ts): its
 * operations, and what the members of its requests and responses mean.
 * Build time only: the Worker never imports it (openapi/build.ts does).
 */
import {
	accountListSchema,
	adminLinkRequestSchema,
	MAX_LINK_SECONDS,
	moveRequestSchema,
	putAccountSchema,
} from "../accounts/accountRequests";
import {
	accountHealthSchema,
	accountMoveSchema,
	accountPageSchema,
	accountSummarySchema,
	adminLinkSchema,
	moveStartedSchema,
} from "../accounts/accountResponses";
import { MAX_ACCOUNT_NAME_LENGTH, MAX_ACCOUNT_QUERY_LENGTH } from "../accounts/accountStore";
import { UID_RULE } from "../db/directory";
import { OPERATOR_NOTES, UNBOUND_DATABASE_NOTE } from "../openapi/errorCatalogue";
import { describeMembers, PREVIOUS_CURSOR, type ResourceDoc, ref } from "../openapi/operations";

/** GET and DELETE of an account read and change its data, in its database. */
const UNBOUND_DATABASE = `${OPERATOR_NOTES.not_configured} ${UNBOUND_DATABASE_NOTE}`;

function describeFields(): void {
	describeMembers(accountListSchema, {
		prefix: "Only accounts whose uid starts with this (exactly, case-sensitive).",
		q: `Only accounts whose uid or name contains this, ignoring the case of ASCII letters; at most ${MAX_ACCOUNT_QUERY_LENGTH} characters. Evaluated as a scan of the live accounts, stopped once a page is full.`,
		cursor: PREVIOUS_CURSOR,
	});
	describeMembers(putAccountSchema, {
		name: `A display name, 1 to ${MAX_ACCOUNT_NAME_LENGTH} characters (trimmed). Leave it out to keep the name (a new account is named by its uid).`,
	});
	describeMembers(adminLinkRequestSchema, {
		expires_in: `Seconds the link stays usable, 1 to ${MAX_LINK_SECONDS}.`,
		read_only: "The portal session may see everything but change nothing.",
		admin: "Who the link is for, as the account's audit record shows it.",
	});
	// The members every view of an account shares.
	describeMembers(accountSummarySchema, {
		uid: "The helpdesk's own identifier for the account.",
		name: "A display name; the uid unless one was given.",
		created_at: "When it was created.",
		database:
			"The binding of the D1 database that holds its data (`DB`, `DB_1`, …), chosen when it was created: the database with the fewest live accounts.",
		endpoints: "Its live endpoints; null when its database is no longer bound (then its own routes answer 503 `not_configured`).",
		health: "Null when its database is no longer bound.",
		moving_to:
			"While a move to another database runs (POST /api/accounts/{uid}/move): the binding it moves to. Null otherwise; when the move ends, `database` names the new one.",
		move: "While a move runs: how far it is. Null otherwise.",
		bursting:
			"Over its fair rate (FAIR_RATE deliveries a second) at some moment of the last 60 s, as its pacer saw it: ingest sent it first attempts beyond that rate (they take the bulk lane), or its retries came faster. Always present.",
	});
	describeMembers(accountHealthSchema, {
		failing_endpoints:
			"Enabled endpoints whose `health.status` is `failing` (their newest automatic attempt failed), counted as the stats' `failing_endpoints` is. Before 0.3.0: live endpoints whose newest attempt failed, disabled ones included.",
		deliveries_failed_24h: "Deliveries created in the last 24 h that failed.",
	});
	describeMembers(accountMoveSchema, {
		state:
			"`copying`: its rows are copied to the new database while it works as before; `switching`: no new attempts start, those in flight finish, the last changes are copied and the directory switched (its writes may answer 503 `account_moving` for a few seconds); `cleaning`: it works from the new database while its rows are deleted from the old one.",
		copied_rows: "Rows copied so far (rows changed during the move are copied again, and counted again).",
		started_at: "When the move started.",
	});
	describeMembers(moveRequestSchema, { database: "The binding of the database to move the account's data to (`DB`, `DB_1`, …)." });
	describeMembers(moveStartedSchema, {
		uid: "The account.",
		database: "Where its data is now.",
		moving_to: "Where it goes.",
	});
	describeMembers(accountPageSchema, {
		accounts: "Ordered by uid, at most 50.",
		next_cursor: "Pass it as `cursor` for the next page; null on the last page.",
	});
	describeMembers(adminLinkSchema, {
		url: "The one-time link: opening it signs that browser in to the account's portal, once.",
		expires_at: "When the link stops working if unused.",
	});
}

export const accountsDoc: ResourceDoc = {
	tag: {
		name: "Accounts",
		description:
			"The operator's accounts: a helpdesk's customers, each with its own endpoints, events and deliveries, and a portal reached by one-time admin links.",
	},
	operations: [
		{
			method: "get",
			path: "/api/accounts",
			id: "listAccounts",
			tag: "Accounts",
			summary: "List accounts",
			description: "Live accounts ordered by uid, 50 a page, each with its endpoint count and health.",
			query: accountListSchema,
			success: { 200: { description: "A page of accounts.", schema: "AccountPage" } },
			errors: ["validation_failed"],
			notes: { validation_failed: `\`q\` is over ${MAX_ACCOUNT_QUERY_LENGTH} characters.` },
		},
		{
			method: "put",
			path: "/api/accounts/{uid}",
			id: "putAccount",
			tag: "Accounts",
			summary: "Create or rename an account",
			description: `Creates the account (its name defaults to the uid), or renames it when \`name\` is given and differs. The uid is ${UID_RULE}.`,
			parameters: [ref("parameters", "Uid")],
			body: "AccountPut",
			bodyOptional: true,
			success: {
				200: { description: "The account existed: renamed, or unchanged.", schema: "Account" },
				201: { description: "The account was created.", schema: "Account" },
			},
			errors: ["invalid_json", "validation_failed"],
			notes: { validation_failed: `The uid is not ${UID_RULE}, or \`name\` is not valid.` },
		},
		{
			method: "get",
			path: "/api/accounts/{uid}",
			id: "getAccount",
			tag: "Accounts",
			summary: "Get an account with its endpoint count and health",
			parameters: [ref("parameters", "Uid")],
			success: { 200: { description: "The account.", schema: "AccountSummary" } },
			errors: ["not_found"],
			notes: { not_configured: UNBOUND_DATABASE },
		},
		{
			method: "delete",
			path: "/api/accounts/{uid}",
			id: "deleteAccount",
			tag: "Accounts",
			summary: "Delete an account",
			description:
				"Takes effect at once: its endpoints are deleted (their pending and retrying deliveries cancelled), its portal sessions and unused admin links end, and every route of its uid answers 404 (ingest on another Worker isolate may still take its events for up to a second; they are purged with it). Its data is then purged by the cron in chunks; the uid can be created again, empty. An account being moved is deleted once its move has ended (409 `move_in_progress` until then).",
			parameters: [ref("parameters", "Uid")],
			success: { 204: { description: "Deleted." } },
			errors: ["not_found", "account_protected", "move_in_progress"],
			notes: { not_configured: UNBOUND_DATABASE },
		},
		{
			method: "post",
			path: "/api/accounts/{uid}/move",
			id: "moveAccount",
			tag: "Accounts",
			summary: "Move an account to another database",
			description:
				"Starts moving everything of the account (endpoints with their secrets, headers and filters, events, deliveries, attempts, audit record, idempotency keys) to the database bound as `database`, in bounded steps, while it keeps receiving events and delivering them; follow it with GET /api/accounts/{uid} (`moving_to`, `move`). Its ingest answers 202 throughout, but for a few seconds (at most 30) around the switch, when it may answer 503 `account_moving` with `Retry-After`; no attempt is added or lost. Afterwards no row of it is left in the old database. The default account stays on DB.",
			parameters: [ref("parameters", "Uid")],
			body: "MoveRequest",
			success: { 202: { description: "The move has started.", schema: "MoveStarted" } },
			errors: ["not_found", "invalid_json", "missing_field", "validation_failed", "same_database", "move_in_progress", "account_protected"],
			notes: {
				validation_failed: "No database is bound as `database`; `fields.database` lists the bound ones.",
				account_protected: "The default account stays on DB.",
				not_configured: UNBOUND_DATABASE,
			},
		},
		{
			method: "delete",
			path: "/api/accounts/{uid}/sessions",
			id: "endAccountSessions",
			tag: "Accounts",
			summary: "End every portal session of an account",
			description:
				"Ends every portal session of the account and, in the same transaction, revokes its admin links not yet used: opening one afterwards answers 410, so no link minted before this call signs anyone in.",
			parameters: [ref("parameters", "Uid")],
			success: { 204: { description: "Every portal session of the account has ended, and its unused links are revoked." } },
			errors: ["not_found"],
		},
		{
			method: "post",
			path: "/api/accounts/{uid}/admin-links",
			id: "createAdminLink",
			tag: "Accounts",
			summary: "Mint a one-time admin link to the account's portal",
			description: `How the helpdesk sends its signed-in admin to the account's portal: opening the link signs that browser in (for ACCOUNT_SESSION_HOURS) and spends it; a browser signed in to another account's portal is asked first, and the link is spent only when it continues. The link points to the first of PUBLIC_ORIGINS, else to the origin this request came to. Links last at most ${MAX_LINK_SECONDS} seconds.`,
			parameters: [ref("parameters", "Uid")],
			body: "AdminLinkRequest",
			bodyOptional: true,
			success: { 201: { description: "The link.", schema: "AdminLink" } },
			errors: ["not_found", "invalid_json", "validation_failed"],
			notes: { not_configured: UNBOUND_DATABASE },
		},
	],
	describeFields,
};
