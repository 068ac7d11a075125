/**
 * The one error shape as a zod schema, for the OpenAPI document (its
 * descriptions are added at build time, in openapi/errorCatalogue.ts) and for
 * the ErrorBody type errors.ts answers with. Imported as a type only by the
 * Worker.
 */
import * as z from "zod/mini";
import { ERROR_CODES } from "./errors";

export const errorBodySchema = z.object({
	error: z.string(),
	code: z.enum(ERROR_CODES),
	fields: z.optional(z.record(z.string(), z.string())),
	request_id: z.optional(z.string()),
});

export type ErrorBody = z.output<typeof errorBodySchema>;
