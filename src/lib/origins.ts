/** One spelling of a host and an origin, for comparing URLs: "example.com." is "example.com". */

/** Drops the trailing dots of the URL's host, in place. */
export function dropTrailingDots(url: URL): void {
	url.hostname = url.hostname.replace(/\.+$/, "");
}

/** An origin in the same canonical spelling as checked destinations. */
export function canonicalOrigin(origin: string): string {
	const url = new URL(origin);
	dropTrailingDots(url);
	return url.origin;
}
