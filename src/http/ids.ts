/**
 * Identifiers that sort by creation time: `<prefix>_<12 hex of ms><16 hex random>`.
 * The SQL twin in fanout/createDeliveries.ts builds delivery ids the same way.
 */
export function newId(prefix: string, now = Date.now()): string {
	const random = crypto.getRandomValues(new Uint8Array(8));
	return `${idFloor(prefix, now)}${toHex(random)}`;
}

/** The smallest id of this prefix created at or after `time`: bounds a time range by the primary key. */
export function idFloor(prefix: string, time: number): string {
	return `${prefix}_${time.toString(16).padStart(12, "0")}`;
}

export function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return toHex(new Uint8Array(digest));
}
