/** The token from `Authorization: Bearer <token>`, if present. */
export function bearerToken(header: string | undefined): string | undefined {
	const match = header?.match(/^Bearer\s+(.+)$/i);
	return match?.[1]?.trim();
}
