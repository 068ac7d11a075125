/**
 * What the operator's accounts API answers, as zod schemas: the view types
 * summary.ts and links.ts return are derived from them, and the OpenAPI
 * document is generated from them (described at build time, in
 * api/accounts.openapi.ts). Imported as types only by the Worker.
 */
import * as z from "zod/mini";
import { MOVE_STATES } from "../db/moveSchema";
import { count, time } from "../lib/schemaParts";

const accountFields = { uid: z.string(), name: z.string(), created_at: time(), database: z.string() };

export const accountSchema = z.object(accountFields);

/** A move to another database under way (accounts/moves.ts): its state, rows copied so far, when it started. */
export const accountMoveSchema = z.object({ state: z.enum(MOVE_STATES), copied_rows: count(), started_at: time() });

/** Both null unless a move runs: then the binding it moves to, and the move. */
const moveFields = { moving_to: z.nullable(z.string()), move: z.nullable(accountMoveSchema) };

export const accountHealthSchema = z.object({ failing_endpoints: count(), deliveries_failed_24h: count() });

export const accountSummarySchema = z.object({
	...accountFields,
	endpoints: z.nullable(count()),
	health: z.nullable(accountHealthSchema),
	bursting: z.boolean(),
	...moveFields,
});

/** What starting a move answers: the account, where its data is, where it goes. */
export const moveStartedSchema = z.object({ uid: z.string(), database: z.string(), moving_to: z.string() });

export const accountPageSchema = z.object({ accounts: z.array(accountSummarySchema), next_cursor: z.nullable(z.string()) });

export const adminLinkSchema = z.object({ url: z.string(), expires_at: time() });

export type AccountView = z.output<typeof accountSchema>;
export type AccountMoveView = { [Field in keyof typeof moveFields]: z.output<(typeof moveFields)[Field]> };
export type MoveStarted = z.output<typeof moveStartedSchema>;
export type AccountSummary = z.output<typeof accountSummarySchema>;
export type AdminLink = z.output<typeof adminLinkSchema>;
