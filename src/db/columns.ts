/**
 * Column builders shared by the schema's tables (schema.ts, keyedSchema.ts): a BLOB as bytes, and what both delivery
 * tables keep of a delivery's progress beside its ids, status and claim.
 */
import { customType, integer, text } from "drizzle-orm/sqlite-core";

/** A BLOB column as bytes: D1 binds an ArrayBuffer and hands a BLOB back as an array of numbers. */
export const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | number[] }>({
	dataType: () => "blob",
	toDriver: (value) => value.slice().buffer,
	fromDriver: (value) => new Uint8Array(value),
});

/** A delivery's automatic attempts, due time, hold, last change, and the clean success kept on its row. */
export function deliveryProgress() {
	return {
		attemptCount: integer("attempt_count").notNull().default(0),
		/** When the next automatic attempt is due (a retry may not start before it); null once finished. */
		nextAttemptAt: integer("next_attempt_at"),
		/** Until when the delivery is taken: by the attempt in flight (with a claim), or held in a queue (without). The sweep leaves it alone until then. */
		leaseUntil: integer("lease_until"),
		updatedAt: integer("updated_at").notNull(),
		/**
		 * The automatic attempt that delivered it, when it answered 2xx with nothing to note: kept here, written
		 * with the final state, instead of as an attempts row (one row fewer per delivery; bench/README.md). Its
		 * seq among the delivery's attempts, start, duration, status and the start of the answer
		 * (SUCCESS_EXCERPT_CHARS); its number is attempt_count. Null otherwise. `delivery_attempts` shows it
		 * with the others.
		 */
		okSeq: integer("ok_seq"),
		okStartedAt: integer("ok_started_at"),
		okDurationMs: integer("ok_duration_ms"),
		okStatusCode: integer("ok_status_code"),
		okResponse: text("ok_response"),
	};
}
