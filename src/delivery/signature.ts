/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature
 * is base64(HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")),
 * sent as `v1,<signature>`. Secrets look like `whsec_<base64 of 32 random bytes>`.
 */
const SECRET_PREFIX = "whsec_";

export function newSigningSecret(): string {
	return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The `webhook-signature` header value for one message. */
export async function signWebhook(secret: string, webhookId: string, timestampSeconds: number, body: string): Promise<string> {
	const keyBytes = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
	const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const signed = new TextEncoder().encode(`${webhookId}.${timestampSeconds}.${body}`);
	const mac = await crypto.subtle.sign("HMAC", key, signed);
	return `v1,${toBase64(new Uint8Array(mac))}`;
}

function toBase64(bytes: Uint8Array): string {
	return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
	return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
