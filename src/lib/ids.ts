/**
 * Identifiers that sort by creation time: `<prefix>_<12 hex of ms><16 hex random>`.
 * The SQL twin in ingest/createDeliveries.ts builds delivery ids the same way.
 */
import { toHex } from "./hashing";

export function newId(prefix: string, now = Date.now()): string {
	const random = crypto.getRandomValues(new Uint8Array(8));
	return `${idFloor(prefix, now)}${toHex(random)}`;
}

/** The smallest id of this prefix created at or after `time`: bounds a time range by the primary key. */
export function idFloor(prefix: string, time: number): string {
	return `${prefix}_${time.toString(16).padStart(12, "0")}`;
}
