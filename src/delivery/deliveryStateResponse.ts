/**
 * Why an endpoint's deliveries wait, as a zod schema: the type isolation.ts
 * returns and the OpenAPI document's DeliveryState (described at build time,
 * in api/endpoints.openapi.ts). Imported as a type only by the Worker.
 */
import * as z from "zod/mini";
import { count, time } from "../lib/schemaParts";

export const deliveryStateSchema = z.object({
	state: z.enum(["healthy", "slow", "isolated", "saturated", "throttled"]),
	until: z.nullable(time()),
	in_flight: count(),
	oldest_waiting_at: z.nullable(time()),
});

export type DeliveryState = z.output<typeof deliveryStateSchema>;
