/** A plain-HTTP local origin (development, tests): the one place a cookie may go without Secure. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLocalPlainHttp(requestUrl: string): boolean {
	const url = new URL(requestUrl);
	return url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
}
