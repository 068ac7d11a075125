/** Constant-time comparison of a presented credential with the configured one. */
export async function tokensMatch(presented: string, expected: string): Promise<boolean> {
	// timingSafeEqual needs equal lengths; hashing both sides first also hides the expected length.
	const encoder = new TextEncoder();
	const [a, b] = await Promise.all([
		crypto.subtle.digest("SHA-256", encoder.encode(presented)),
		crypto.subtle.digest("SHA-256", encoder.encode(expected)),
	]);
	return crypto.subtle.timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer <token>`, if present. */
export function bearerToken(header: string | undefined): string | undefined {
	const match = header?.match(/^Bearer\s+(.+)$/i);
	return match?.[1]?.trim();
}
