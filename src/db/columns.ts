/**
 * Column builders of the schema's tables (schema.ts, keyedSchema.ts): a BLOB as bytes; what deliveries_v2 keeps of a
 * delivery's progress beside its ids, status and claim; and how it stores what the code
 * names by text (an id as the bytes its hex digits spell, a status as a small number). Drizzle applies those both
 * ways: to what a query binds against such a column, and to the rows it reads back.
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
		 * (SUCCESS_EXCERPT_CHARS); its number is attempt_count. Null otherwise. A delivery's page shows it
		 * with the others (reports/deliveryDetail.ts).
		 */
		okSeq: integer("ok_seq"),
		okStartedAt: integer("ok_started_at"),
		okDurationMs: integer("ok_duration_ms"),
		okStatusCode: integer("ok_status_code"),
		okResponse: text("ok_response"),
	};
}

/** How `deliveries_v2.status` stores each status (migration 0012's triggers spell the same). */
export const STATUS_CODES = { new: 0, pending: 1, retrying: 2, delivered: 3, failed: 4, cancelled: 5 } as const;
type StoredStatus = keyof typeof STATUS_CODES;
const STATUS_NAMES = Object.fromEntries(Object.entries(STATUS_CODES).map(([status, code]) => [code, status])) as Record<
	number,
	StoredStatus
>;

export const statusCode = customType<{ data: StoredStatus; driverData: number }>({
	dataType: () => "integer",
	toDriver: (status) => STATUS_CODES[status],
	fromDriver: (code) => STATUS_NAMES[code],
});

const HEX_PAIRS = /^(?:[0-9a-f]{2})*$/;

/**
 * An id `<prefix>_<hex>` stored as the bytes its hex digits spell: `bytes` of them exactly, or any whole number (a
 * delivery id's first 6, its millisecond, bound a range of ids). An id of another form is bound as its text, which
 * equals no bytes; stored that way (an account id such as `acc_default`), it reads back as it is.
 */
export function hexId(prefix: string, bytes?: number) {
	const head = `${prefix}_`;
	return customType<{ data: string; driverData: ArrayBuffer | number[] | string }>({
		dataType: () => "blob",
		toDriver(id) {
			const hex = id.slice(head.length);
			if (!id.startsWith(head) || !HEX_PAIRS.test(hex) || (bytes !== undefined && hex.length !== 2 * bytes)) return id;
			return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16)).buffer;
		},
		fromDriver(value) {
			if (typeof value === "string") return value;
			const octets = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
			return head + Array.from(octets, (octet) => octet.toString(16).padStart(2, "0")).join("");
		},
	});
}
