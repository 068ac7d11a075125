import { describe, expect, it } from "vitest";
import { checkDestination, type DestinationPolicy, MAX_URL_LENGTH } from "../../src/security/destination";

const strict: DestinationPolicy = { allowPrivate: false, httpsOnly: false, ownOrigins: ["https://hooks.hivepost.example"] };

function problemOf(url: string, policy = strict): string | null {
	const check = checkDestination(url, policy);
	return check.ok ? null : check.problem;
}

describe("destinations refused as not public", () => {
	const blocked: [url: string, why: RegExp][] = [
		// Every blocked IPv4 range, at its start and its end.
		["http://0.0.0.0/", /this network/],
		["http://0.255.255.255/", /this network/],
		["http://10.0.0.1/", /private/],
		["http://10.255.255.255/", /private/],
		["http://100.64.0.1/", /carrier-grade/],
		["http://100.127.255.255/", /carrier-grade/],
		["http://127.0.0.1/", /loopback/],
		["http://127.0.0.2/", /loopback/],
		["http://127.255.255.254/", /loopback/],
		["http://169.254.169.254/latest/meta-data/", /link-local/],
		["http://169.254.0.1/", /link-local/],
		["http://172.16.0.1/", /private/],
		["http://172.31.255.255/", /private/],
		["http://192.0.0.8/", /IETF protocol/],
		["http://192.0.2.1/", /documentation/],
		["http://192.88.99.1/", /6to4 relay/],
		["http://192.168.1.1/", /private/],
		["http://198.18.0.1/", /benchmarking/],
		["http://198.19.255.255/", /benchmarking/],
		["http://198.51.100.7/", /documentation/],
		["http://203.0.113.9/", /documentation/],
		["http://224.0.0.1/", /multicast/],
		["http://239.255.255.250/", /multicast/],
		["http://240.0.0.1/", /reserved/],
		["http://255.255.255.255/", /reserved/],
		// Other spellings of 127.0.0.1 that the URL parser canonicalises.
		["http://127.1/", /loopback/],
		["http://2130706433/", /loopback/],
		["http://0x7f000001/", /loopback/],
		["http://0x7f.0.0.1/", /loopback/],
		["http://0177.0.0.1/", /loopback/],
		["http://017700000001/", /loopback/],
		["http://①②⑦.0.0.1/", /loopback/],
		// IPv6.
		["http://[::]/", /unspecified/],
		["http://[::1]/", /loopback/],
		["http://[0:0:0:0:0:0:0:1]/", /loopback/],
		["http://[::ffff:127.0.0.1]/", /IPv4-mapped.*loopback/],
		["http://[::ffff:a9fe:a9fe]/", /IPv4-mapped.*link-local/],
		["http://[::ffff:10.0.0.1]/", /IPv4-mapped.*private/],
		["http://[::127.0.0.1]/", /IPv4-compatible.*loopback/],
		["http://[64:ff9b::a9fe:a9fe]/", /NAT64.*link-local/],
		["http://[64:ff9b::7f00:1]/", /NAT64.*loopback/],
		["http://[64:ff9b:1::1]/", /local-use NAT64/],
		["http://[2002:7f00:1::1]/", /6to4/],
		["http://[100::1]/", /discard-only/],
		["http://[2001::1]/", /IETF protocol/],
		["http://[2001:1ff::1]/", /IETF protocol/],
		["http://[2001:db8::1]/", /documentation/],
		["http://[fc00::1]/", /unique-local/],
		["http://[fd12:3456::1]/", /unique-local/],
		["http://[fe80::1]/", /link-local/],
		["http://[febf::1]/", /link-local/],
		["http://[fec0::1]/", /site-local/],
		["http://[ff02::1]/", /multicast/],
		// Names that only resolve inside a network.
		["http://localhost/", /single-label/],
		["http://LOCALHOST./", /single-label/],
		["http://localhost../", /single-label/],
		["http://a.localhost/", /\.localhost/],
		["http://api.LOCALHOST./hook", /\.localhost/],
		["http://intranet/", /single-label/],
		["http://metadata.google.internal/computeMetadata/v1/", /\.internal/],
		["http://service.internal/", /\.internal/],
		["http://printer.local/", /\.local/],
		["http://router.home.arpa/", /\.home\.arpa/],
	];
	for (const [url, why] of blocked) {
		it(`refuses ${url}`, () => {
			expect(problemOf(url)).toMatch(why);
		});
	}

	it("lets ALLOW_PRIVATE_DESTINATIONS lift the address and name checks", () => {
		const local = { ...strict, allowPrivate: true };
		for (const [url] of blocked) expect(problemOf(url, local)).toBeNull();
	});
});

describe("destinations allowed", () => {
	const allowed = [
		"https://hooks.example.com/supportbee",
		"http://172.32.0.1/",
		"http://172.15.255.255/",
		"http://100.128.0.1/",
		"http://100.63.255.255/",
		"http://11.0.0.1/",
		"http://192.169.0.1/",
		"http://198.20.0.1/",
		"http://223.255.255.255/",
		"http://[2606:4700:4700::1111]/",
		"http://[::ffff:1.1.1.1]/",
		"http://[64:ff9b::101:101]/",
		"https://bücher.example/hook",
		"https://example.com./trailing-dot",
	];
	for (const url of allowed) {
		it(`allows ${url}`, () => {
			expect(problemOf(url)).toBeNull();
		});
	}

	it("keeps the canonical form: lower-case host, default port dropped, IDN in punycode, no fragment", () => {
		expect(checkDestination(" HTTPS://Hooks.Example.COM:443/a?b=1#frag ", strict)).toEqual({
			ok: true,
			url: "https://hooks.example.com/a?b=1",
		});
		expect(checkDestination("https://bücher.example/hook", strict)).toEqual({ ok: true, url: "https://xn--bcher-kva.example/hook" });
		expect(checkDestination("https://example.com./hook", strict)).toEqual({ ok: true, url: "https://example.com/hook" });
	});
});

describe("URL rules that hold whatever the address", () => {
	const cases: [url: string, why: RegExp, policy?: DestinationPolicy][] = [
		["ftp://files.example.com/", /http:\/\/ or https:\/\//],
		["file:///etc/passwd", /http:\/\/ or https:\/\//],
		["javascript:alert(1)", /http:\/\/ or https:\/\//],
		["gopher://example.com/", /http:\/\/ or https:\/\//],
		["/relative/hook", /not an absolute URL/],
		["example.com/hook", /not an absolute URL/],
		["https://user:secret@example.com/hook", /user name or password.*custom headers/],
		["https://good.example@evil.example/", /user name or password/],
		["https://:pw@example.com/", /user name or password/],
		[`https://example.com/${"a".repeat(MAX_URL_LENGTH)}`, /longer than 2048/],
		["http://example.com/hook", /HTTPS_ONLY/, { ...strict, httpsOnly: true }],
		["https://hooks.hivepost.example/events", /back at Hivepost/],
		["https://HOOKS.hivepost.example:443/anything", /back at Hivepost/],
		["https://hooks.hivepost.example./events", /back at Hivepost/],
		["https://hooks.hivepost.example../events", /back at Hivepost/],
		["http://127.0.0.1:8787/events", /back at Hivepost/, { allowPrivate: true, httpsOnly: false, ownOrigins: ["http://127.0.0.1:8787"] }],
	];
	for (const [url, why, policy] of cases) {
		it(`refuses ${url.slice(0, 60)}`, () => {
			expect(problemOf(url, policy)).toMatch(why);
		});
	}

	it("allows another port or scheme on the Worker's host (a different origin)", () => {
		expect(problemOf("https://hooks.hivepost.example:8443/hook")).toBeNull();
	});
});
