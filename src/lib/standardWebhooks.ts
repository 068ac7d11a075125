/**
 * Standard Webhooks (https://www.standardwebhooks.com): the signature is
 * base64(HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")),
 * sent as `v1,<signature>`. Secrets look like `whsec_<base64 of 32 random bytes>`.
 * Used to sign deliveries and to check signed ingest.
 */
import { tokensMatch } from "./tokens";

const SECRET_PREFIX = "whsec_";

export function newSigningSecret(): string {
	return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** True when `secret` is a usable signing secret: `whsec_` (optional) and non-empty base64. */
export function isSigningSecret(secret: string): boolean {
	const key = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
	return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(key) && key.length > 0;
}

/** Signing keys imported once per isolate and secret (an endpoint's deliveries reuse its key); at most KEYS_KEPT. */
const signingKeys = new Map<string, Promise<CryptoKey>>();
const KEYS_KEPT = 1000;

function signingKey(secret: string): Promise<CryptoKey> {
	let key = signingKeys.get(secret);
	if (!key) {
		if (signingKeys.size >= KEYS_KEPT) signingKeys.clear();
		const keyBytes = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
		key = crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
		// A failed import is not kept: the next call tries again.
		key.catch(() => signingKeys.delete(secret));
		signingKeys.set(secret, key);
	}
	return key;
}

/** The `v1,<signature>` of one message. The secret must pass isSigningSecret. */
export async function signWebhook(secret: string, webhookId: string, timestampSeconds: number, body: string): Promise<string> {
	const key = await signingKey(secret);
	const signed = new TextEncoder().encode(`${webhookId}.${timestampSeconds}.${body}`);
	const mac = await crypto.subtle.sign("HMAC", key, signed);
	return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** True when any of the space-separated signatures in `header` was made with `secret` for this message. */
export async function signatureMatches(
	secret: string,
	webhookId: string,
	timestampSeconds: number,
	body: string,
	header: string,
): Promise<boolean> {
	const expected = await signWebhook(secret, webhookId, timestampSeconds, body);
	for (const presented of header.split(" ")) {
		if (await tokensMatch(presented, expected)) return true;
	}
	return false;
}

function toBase64(bytes: Uint8Array): string {
	return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
	return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
