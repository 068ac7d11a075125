/**
 * What ingest answers, as a zod schema: the receipt type storeEvent.ts
 * returns, and the OpenAPI document's IngestReceipt (described at build time,
 * in ingest/route.openapi.ts). Imported as a type only by the Worker.
 */
import * as z from "zod/mini";
import { EVENT_TYPES } from "../eventTypes";
import { count } from "../lib/schemaParts";

export const ingestReceiptSchema = z.object({ event_id: z.string(), action_type: z.enum(EVENT_TYPES), deliveries: count() });

export type IngestReceipt = z.output<typeof ingestReceiptSchema>;
