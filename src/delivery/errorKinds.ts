/**
 * What went wrong with a failed attempt, as one of a few kinds with a one-line
 * hint each. Derived when read from what every attempt already stores (its
 * status code, and the error text send.ts wrote), so no row grows.
 *
 * A status decides the kind when there is one. Without one, the error text
 * does: send.ts's own "timed out", then the runtime's network errors as
 * workerd words them ("Network connection lost." for a closed port,
 * "Connection refused", "DNS lookup failed", "TLS peer's certificate is not
 * trusted") and as Node's would (ECONNREFUSED, ENOTFOUND, CERT_…). Anything
 * else is `network`. On Cloudflare a failed DNS lookup or TLS handshake may
 * come back as a status from Cloudflare itself (a 52x or 530): then it is
 * `server_error` (docs/operations.md).
 */
export const ERROR_KINDS = [
	"timeout",
	"connection",
	"dns",
	"tls",
	"redirect",
	"auth",
	"not_found",
	"gone",
	"rate_limited",
	"server_error",
	"client_error",
	"network",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

const BY_TEXT: [ErrorKind, RegExp][] = [
	["timeout", /^timed out\b/i],
	["dns", /DNS lookup failed|ENOTFOUND|EAI_AGAIN|getaddrinfo/i],
	["tls", /\bTLS\b|\bSSL\b|certificate|CERT_/i],
	["connection", /connection lost|connection refused|ECONNREFUSED|ECONNRESET|connection reset|socket hang up|other side closed/i],
];

function byStatus(status: number): ErrorKind | null {
	if (status >= 200 && status < 300) return null;
	if (status >= 300 && status < 400) return "redirect";
	if (status === 401 || status === 403) return "auth";
	if (status === 404) return "not_found";
	if (status === 410) return "gone";
	if (status === 429) return "rate_limited";
	return status >= 500 ? "server_error" : "client_error";
}

/** The kind of a failed attempt; null for a success (or an outcome with neither a status nor an error). */
export function errorKind(statusCode: number | null, error: string | null): ErrorKind | null {
	if (statusCode !== null) return byStatus(statusCode);
	if (error === null) return null;
	return BY_TEXT.find(([, pattern]) => pattern.test(error))?.[0] ?? "network";
}

/** `host:port` of a URL, the port spelled out, for a hint; the text as given when it is not a URL. */
function hostAndPort(url: string): string {
	try {
		const { hostname, port, protocol } = new URL(url);
		return `${hostname}:${port || (protocol === "https:" ? "443" : "80")}`;
	} catch {
		return url;
	}
}

/** What to do about a kind, in one line, for the destination `url`. */
export function errorHint(kind: ErrorKind, url: string): string {
	const host = hostAndPort(url);
	const hints: Record<ErrorKind, string> = {
		timeout: "No answer in time: the receiver should answer 2xx at once and do its work afterwards.",
		connection: `Nothing is listening at ${host}, or it closed the connection: check that the receiver is running.`,
		dns: `${host.replace(/:\d+$/, "")} does not resolve: check the URL's host name.`,
		tls: `The receiver's HTTPS certificate or TLS setup was refused: it must be valid and trusted for ${host.replace(/:\d+$/, "")}.`,
		redirect: "Redirects are not followed: register the URL it redirects to.",
		auth: "The receiver refused the request's credentials: check the endpoint's Authorization header (its custom headers).",
		not_found: "The receiver has no such path: check the URL.",
		gone: "The receiver asked to stop: Hivepost disabled the endpoint.",
		rate_limited: "The receiver asks for fewer requests: the next retry waits as long as its Retry-After asks.",
		server_error: "The receiver failed: its logs, and its response, say why.",
		client_error: "The receiver refused the request: its response says why.",
		network: "The request failed without an answer: the error says why.",
	};
	return hints[kind];
}
