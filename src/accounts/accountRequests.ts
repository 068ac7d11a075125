/**
 * What the operator's accounts API takes, as zod schemas: the same objects
 * validate requests (and the accounts page's search) and generate the OpenAPI
 * document (their descriptions are added at build time, in
 * api/accounts.openapi.ts).
 */
import * as z from "zod/mini";
import { MAX_ACCOUNT_NAME_LENGTH, MAX_ACCOUNT_QUERY_LENGTH } from "./accountStore";

export const putAccountSchema = z.object({
	name: z.optional(
		z.string({ error: "must be a string" }).check(
			z.trim(),
			z.minLength(1, { error: "must not be empty (leave it out to use the uid)" }),
			z.maxLength(MAX_ACCOUNT_NAME_LENGTH, { error: `must be at most ${MAX_ACCOUNT_NAME_LENGTH} characters` }),
			// Shown on every page and in the portal's header: one line of text.
			z.regex(/^[^\p{Cc}\u2028\u2029]*$/u, { error: "must not contain control characters (line breaks, tabs, …)" }),
		),
	),
});

export const accountListSchema = z.object({
	/** Only accounts whose uid starts with this (exactly, case-sensitive). */
	prefix: z.optional(z.string()),
	/** Only accounts whose uid or name contains this, whatever the case of its letters. */
	q: z.optional(
		z.string().check(z.maxLength(MAX_ACCOUNT_QUERY_LENGTH, { error: `must be at most ${MAX_ACCOUNT_QUERY_LENGTH} characters` })),
	),
	/** The `next_cursor` of the previous page. */
	cursor: z.optional(z.string()),
});

/** POST /api/accounts/{uid}/move: the binding of the database to move the account's data to. */
export const moveRequestSchema = z.object({ database: z.string({ error: "must be the binding of a database, e.g. DB_1" }) });

export const MAX_LINK_SECONDS = 3600;

export const adminLinkRequestSchema = z.object({
	expires_in: z._default(
		z
			.int({ error: "must be a whole number of seconds" })
			.check(
				z.minimum(1, { error: "must be at least 1 second" }),
				z.maximum(MAX_LINK_SECONDS, { error: `must be at most ${MAX_LINK_SECONDS} seconds` }),
			),
		300,
	),
	read_only: z._default(z.boolean({ error: "must be true or false" }), false),
	admin: z._default(
		z
			.string({ error: "must be a string" })
			.check(z.trim(), z.minLength(1, { error: "must not be empty" }), z.maxLength(200, { error: "must be at most 200 characters" })),
		"account admin",
	),
});

/** What a new admin link is for: how long it lasts, whether it may change anything, and whom it is for. */
export type LinkRequest = z.output<typeof adminLinkRequestSchema>;
