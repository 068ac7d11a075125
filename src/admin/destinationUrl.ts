/**
 * Destination URLs as admins type them: parsed once with the standard URL
 * parser and kept in canonical form, so `HTTPS://Example.com:443/a` and
 * `https://example.com/a` are the same endpoint.
 */

export const MAX_URL_LENGTH = 2048;

export type UrlCheck = { ok: true; url: string } | { ok: false; problem: string };

export function canonicalDestination(raw: string): UrlCheck {
	const text = raw.trim();
	if (text.length > MAX_URL_LENGTH) return { ok: false, problem: `is longer than ${MAX_URL_LENGTH} characters` };
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { ok: false, problem: "is not an absolute URL (expected something like https://example.com/hook)" };
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, problem: "must start with http:// or https://" };
	if (!url.hostname) return { ok: false, problem: "has no host" };
	if (url.username || url.password) return { ok: false, problem: "must not contain a user name or password" };
	url.hash = "";
	return { ok: true, url: url.href };
}

/** Splits SupportBee's "Web Hooks" text box: URLs separated by commas, semicolons or white space. */
export function splitUrlList(text: string): string[] {
	return text.split(/[\s,;]+/).filter((part) => part !== "");
}
