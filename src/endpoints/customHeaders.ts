/**
 * An endpoint's custom request headers (the receiver's own auth, e.g.
 * `Authorization`). Names are RFC 9110 tokens, stored lower-case; the headers
 * Hivepost sets itself cannot be overridden. Values are write-only: views
 * show a masked hint, never the value.
 */

/** RFC 9110 `token`: the characters a header name may use. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Visible ASCII (0x21–0x7E), space and tab only, at most 4 KB. CR and LF would
 * be header injection; other control characters are not valid HTTP, and
 * non-ASCII has no agreed encoding (the Fetch standard refuses it, workerd
 * re-encodes it as UTF-8): the receiver would not get what was typed, or
 * the request would fail on every attempt.
 */
export const HEADER_VALUE_PATTERN = /^[\x21-\x7e \t]*$/;
export const MAX_HEADER_VALUE_LENGTH = 4096;
export const MAX_CUSTOM_HEADERS = 20;

/** Set by Hivepost on every delivery, or hop-by-hop: never taken from an endpoint. */
const RESERVED_HEADER_NAMES = new Set([
	"content-type",
	"content-length",
	"host",
	"user-agent",
	"connection",
	"keep-alive",
	"proxy-authenticate",
	"proxy-authorization",
	"proxy-connection",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
	"expect",
	"cookie",
]);

/** Standard Webhooks' own headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`, and any it may add). */
const RESERVED_HEADER_PREFIX = "webhook-";

/** True for a name Hivepost sets itself (or a hop-by-hop one): an endpoint may not set it. */
export function isReservedHeaderName(name: string): boolean {
	const lower = name.toLowerCase();
	return RESERVED_HEADER_NAMES.has(lower) || lower.startsWith(RESERVED_HEADER_PREFIX);
}

/** Applies changes (a value sets, null removes) to the stored headers. */
export function applyHeaderChanges(stored: Record<string, string>, changes: Record<string, string | null>): Record<string, string> {
	const next = { ...stored };
	for (const [name, value] of Object.entries(changes)) {
		const key = name.toLowerCase();
		if (value === null) delete next[key];
		else next[key] = value;
	}
	return next;
}

/** What a view shows of a value: the last 4 characters of a long one, nothing of a short one. */
export function maskHeaderValue(value: string): string {
	return value.length >= 12 ? `••••${value.slice(-4)}` : "••••";
}

export function maskedHeaders(stored: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(stored).map(([name, value]) => [name, maskHeaderValue(value)]));
}
