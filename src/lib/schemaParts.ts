/**
 * Building blocks of the response schemas (the *Responses.ts modules): the
 * view types the code returns are derived from those schemas, and the OpenAPI
 * document is generated from them, their descriptions added at build time.
 */
import * as z from "zod/mini";

/** A count: a whole number, 0 or more. */
export const count = () => z.int().check(z.minimum(0));

/** A time as the API shows it: ISO 8601 in UTC (lib/time.ts). */
export const time = () => z.string().check(z.meta({ format: "date-time" }));
