/** Credentials: constant-time comparison, and fresh random tokens. */
import { toHex } from "./hashing";

/** Constant-time comparison of a presented credential with the expected one. */
export async function tokensMatch(presented: string, expected: string): Promise<boolean> {
	// timingSafeEqual needs equal lengths; hashing both sides first also hides the expected length.
	const encoder = new TextEncoder();
	const [a, b] = await Promise.all([
		crypto.subtle.digest("SHA-256", encoder.encode(presented)),
		crypto.subtle.digest("SHA-256", encoder.encode(expected)),
	]);
	return crypto.subtle.timingSafeEqual(a, b);
}

/** A random token of `bytes` bytes (default 32: 256 bits), hex encoded. */
export function randomToken(bytes = 32): string {
	return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
