/**
 * Which URLs Hivepost will POST to. A webhook sender fetches URLs chosen by
 * whoever can register them, so every destination is checked when it is
 * saved and again right before each attempt (SSRF protection):
 *
 * - parsed once with the standard URL parser, and judged on its canonical
 *   host (so `127.1`, `2130706433`, `0x7f000001` and IDN forms are seen for
 *   what they are);
 * - only http(s), no credentials in the URL, at most 2,048 characters,
 *   https only when HTTPS_ONLY is on;
 * - no private, loopback, link-local, shared, documentation, benchmarking,
 *   multicast or reserved address (IPv4 and IPv6, with IPv4 embedded in
 *   IPv6 unwrapped), and no name that only resolves inside a network;
 * - never one of the Worker's own origins (a loop).
 *
 * ALLOW_PRIVATE_DESTINATIONS lifts the private-address and local-name checks
 * for local development; the loop check always holds.
 */
import { readSettings, type Settings } from "../config";
import { canonicalOrigin, dropTrailingDots } from "../lib/origins";

export const MAX_URL_LENGTH = 2048;

export interface DestinationPolicy {
	allowPrivate: boolean;
	httpsOnly: boolean;
	/** Origins (scheme://host:port) that are the Worker itself. */
	ownOrigins: readonly string[];
}

export type DestinationCheck = { ok: true; url: string } | { ok: false; problem: string };

/** The destination rules in force; `requestOrigin` is the Worker's origin as seen by the current request, if any. */
export function destinationPolicy(settings: Settings, requestOrigin?: string): DestinationPolicy {
	return {
		allowPrivate: settings.allowPrivateDestinations,
		httpsOnly: settings.httpsOnly,
		ownOrigins: requestOrigin ? [...settings.publicOrigins, canonicalOrigin(requestOrigin)] : settings.publicOrigins,
	};
}

/** The destination rules for a URL saved through a request (its own origin counts as a loop). */
export function policyFor(env: Env, requestUrl: string): DestinationPolicy {
	return destinationPolicy(readSettings(env), new URL(requestUrl).origin);
}

/** Parses, canonicalises and judges a destination URL. */
export function checkDestination(raw: string, policy: DestinationPolicy): DestinationCheck {
	const text = raw.trim();
	if (text.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return refuse("is not an absolute URL (expected something like https://example.com/hook)");
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") return refuse("must start with http:// or https://");
	if (policy.httpsOnly && url.protocol !== "https:") return refuse("must use https:// (HTTPS_ONLY is on)");
	if (url.username || url.password) {
		return refuse("must not contain a user name or password; put credentials in the endpoint's custom headers instead");
	}
	// One spelling for the loop check, the name checks and the stored URL.
	dropTrailingDots(url);
	if (!url.hostname) return refuse("has no host");
	url.hash = "";
	if (policy.ownOrigins.includes(url.origin)) return refuse("points back at Hivepost itself, which would loop");
	if (!policy.allowPrivate) {
		const problem = hostProblem(url.hostname);
		if (problem) return refuse(problem);
	}
	return { ok: true, url: url.href };
}

function refuse(problem: string): DestinationCheck {
	return { ok: false, problem };
}

/** Why a canonical host is not a public internet destination, or null when it is. */
export function hostProblem(hostname: string): string | null {
	if (hostname.startsWith("[")) {
		const groups = parseIPv6(hostname.slice(1, -1));
		if (!groups) return "has an IPv6 address that cannot be read";
		const reason = ipv6Problem(groups);
		return reason && `is ${reason}, not a public internet address`;
	}
	const ipv4 = parseIPv4(hostname);
	if (ipv4 !== null) {
		const reason = ipv4Problem(ipv4);
		return reason && `is ${reason}, not a public internet address`;
	}
	const name = hostname.replace(/\.+$/, "").toLowerCase();
	if (!name.includes(".")) return "has a single-label host name, which only resolves inside a network";
	const suffix = LOCAL_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`));
	return suffix ? `is a .${suffix} name, which only resolves inside a network` : null;
}

/** Names that never resolve to a public internet host. */
const LOCAL_SUFFIXES = ["localhost", "internal", "local", "localdomain", "home.arpa", "test", "invalid"];

type Cidr4 = [base: number, bits: number, what: string];

const BLOCKED_IPV4: Cidr4[] = [
	[ip4(0, 0, 0, 0), 8, "a 'this network' address (0.0.0.0/8)"],
	[ip4(10, 0, 0, 0), 8, "a private address (10.0.0.0/8)"],
	[ip4(100, 64, 0, 0), 10, "a shared carrier-grade NAT address (100.64.0.0/10)"],
	[ip4(127, 0, 0, 0), 8, "a loopback address (127.0.0.0/8)"],
	[ip4(169, 254, 0, 0), 16, "a link-local address (169.254.0.0/16, cloud metadata lives here)"],
	[ip4(172, 16, 0, 0), 12, "a private address (172.16.0.0/12)"],
	[ip4(192, 0, 0, 0), 24, "an IETF protocol address (192.0.0.0/24)"],
	[ip4(192, 0, 2, 0), 24, "a documentation address (192.0.2.0/24)"],
	[ip4(192, 88, 99, 0), 24, "a 6to4 relay address (192.88.99.0/24)"],
	[ip4(192, 168, 0, 0), 16, "a private address (192.168.0.0/16)"],
	[ip4(198, 18, 0, 0), 15, "a benchmarking address (198.18.0.0/15)"],
	[ip4(198, 51, 100, 0), 24, "a documentation address (198.51.100.0/24)"],
	[ip4(203, 0, 113, 0), 24, "a documentation address (203.0.113.0/24)"],
	[ip4(224, 0, 0, 0), 4, "a multicast address (224.0.0.0/4)"],
	[ip4(240, 0, 0, 0), 4, "a reserved address (240.0.0.0/4)"],
];

function ip4(a: number, b: number, c: number, d: number): number {
	return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function inCidr(address: number, base: number, bits: number): boolean {
	const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
	return (address & mask) >>> 0 === base;
}

/** The URL parser already turned every IPv4 spelling into dotted decimal; anything else is a name. */
function parseIPv4(hostname: string): number | null {
	const match = hostname.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
	if (!match) return null;
	const [a, b, c, d] = match.slice(1).map(Number);
	return ip4(a, b, c, d);
}

function ipv4Problem(address: number): string | null {
	return BLOCKED_IPV4.find(([base, bits]) => inCidr(address, base, bits))?.[2] ?? null;
}

/** Eight 16-bit groups, from the URL parser's canonical (hex, possibly compressed) IPv6 text. */
function parseIPv6(text: string): number[] | null {
	const [head, tail, extra] = text.split("::");
	if (extra !== undefined) return null;
	const part = (s: string | undefined) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
	const left = part(head);
	const right = part(tail);
	const groups = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
	return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function ipv6Problem(g: number[]): string | null {
	const embeddedV4 = ((g[6] << 16) | g[7]) >>> 0;
	const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
	if (zeroUpTo(8)) return "the unspecified IPv6 address (::)";
	if (zeroUpTo(7) && g[7] === 1) return "the IPv6 loopback address (::1)";
	if (zeroUpTo(5) && g[5] === 0xffff) return embeddedProblem("an IPv4-mapped IPv6 address", embeddedV4);
	if (zeroUpTo(6)) return embeddedProblem("an IPv4-compatible IPv6 address", embeddedV4);
	if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
		return embeddedProblem("a NAT64 address (64:ff9b::/96)", embeddedV4);
	if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "a local-use NAT64 address (64:ff9b:1::/48)";
	if (g[0] === 0x2002) return "a 6to4 address (2002::/16)";
	if (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) return "a discard-only address (100::/64)";
	if (g[0] === 0x2001 && g[1] === 0xdb8) return "a documentation address (2001:db8::/32)";
	if (g[0] === 0x2001 && g[1] < 0x200) return "an IETF protocol address (2001::/23)";
	if ((g[0] & 0xfe00) === 0xfc00) return "a unique-local address (fc00::/7)";
	if ((g[0] & 0xffc0) === 0xfe80) return "a link-local address (fe80::/10)";
	if ((g[0] & 0xffc0) === 0xfec0) return "a site-local address (fec0::/10)";
	if ((g[0] & 0xff00) === 0xff00) return "a multicast address (ff00::/8)";
	return null;
}

/** An IPv6 form that carries an IPv4 address is judged by that address. */
function embeddedProblem(form: string, v4: number): string | null {
	const inner = ipv4Problem(v4);
	return inner && `${form} wrapping ${inner}`;
}
