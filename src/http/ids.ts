/**
 * Identifiers that sort by creation time: `<prefix>_<12 hex of ms><16 hex random>`.
 * The SQL twin in fanout/createDeliveries.ts builds delivery ids the same way.
 */
export function newId(prefix: string, now = Date.now()): string {
	const random = crypto.getRandomValues(new Uint8Array(8));
	return `${prefix}_${now.toString(16).padStart(12, "0")}${toHex(random)}`;
}

export function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return toHex(new Uint8Array(digest));
}
