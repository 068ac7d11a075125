/**
 * What the operator's accounts API answers, as zod schemas: the view types
 * summary.ts and links.ts return are derived from them, and the OpenAPI
 * document is generated from them (described at build time, in
 * api/accounts.openapi.ts). Imported as types only by the Worker.
 */
import * as z from "zod/mini";
import { count, time } from "../lib/schemaParts";

const accountFields = { uid: z.string(), name: z.string(), created_at: time(), database: z.string() };

export const accountSchema = z.object(accountFields);

export const accountHealthSchema = z.object({ failing_endpoints: count(), deliveries_failed_24h: count() });

export const accountSummarySchema = z.object({
	...accountFields,
	endpoints: z.nullable(count()),
	health: z.nullable(accountHealthSchema),
	bursting: z.boolean(),
});

export const accountPageSchema = z.object({ accounts: z.array(accountSummarySchema), next_cursor: z.nullable(z.string()) });

export const adminLinkSchema = z.object({ url: z.string(), expires_at: time() });

export type AccountView = z.output<typeof accountSchema>;
export type AccountSummary = z.output<typeof accountSummarySchema>;
export type AdminLink = z.output<typeof adminLinkSchema>;
