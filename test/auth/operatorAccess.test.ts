import { env } from "cloudflare:workers";
import { serializeSigned } from "hono/utils/cookie";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR_SESSION_TTL_MS } from "../../src/auth/operatorSession";
import { sha256Hex } from "../../src/lib/hashing";
import { ORIGIN, page, submit } from "../helpers/pages";
import { request, rows } from "../helpers/worker";

/** Signs in through the form and returns the session cookie as the browser would send it back. */
async function signIn(token = env.ADMIN_TOKEN as string): Promise<string> {
	const response = await submit("/admin/sign-in", { token }, { headers: { authorization: "" } });
	expect(response.status).toBe(303);
	return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

describe("signing in to the admin page", () => {
	it("shows the sign-in form to a visitor without a session", async () => {
		const { response } = await request("/admin");
		expect(response.status).toBe(401);
		const html = await response.text();
		expect(html).toContain('action="/admin/sign-in"');
		expect(html).not.toContain("Web Hooks");
	});

	it("sets an HttpOnly, SameSite=Strict, expiring session cookie, not Secure on localhost", async () => {
		const response = await submit("/admin/sign-in", { token: env.ADMIN_TOKEN as string }, { headers: { authorization: "" } });
		expect(response.status).toBe(303);
		expect(response.headers.get("location")).toBe("/admin");
		const cookie = response.headers.get("set-cookie") ?? "";
		expect(cookie).toMatch(/^hivepost_session=/);
		expect(cookie).toContain("HttpOnly");
		expect(cookie).toContain("SameSite=Strict");
		expect(cookie).toContain("Path=/");
		expect(cookie).toMatch(/Expires=/);
		expect(cookie).not.toContain("Secure");
		expect(cookie).not.toContain(env.ADMIN_TOKEN as string);
	});

	it("names the cookie __Host-hivepost_session on HTTPS (Secure, Path=/, no Domain), and reads only that name there", async () => {
		const { response } = await request("https://hooks.example.com/admin/sign-in", {
			method: "POST",
			body: new URLSearchParams({ token: env.ADMIN_TOKEN as string }),
			headers: { origin: "https://hooks.example.com", "content-type": "application/x-www-form-urlencoded" },
		});
		const setCookie = response.headers.get("set-cookie") ?? "";
		expect(setCookie).toMatch(/^__Host-hivepost_session=/);
		expect(setCookie).toContain("; Secure");
		expect(setCookie).toContain("; Path=/;");
		expect(setCookie).not.toMatch(/Domain/i);
		const cookie = setCookie.split(";")[0];
		expect((await request("https://hooks.example.com/admin", { headers: { cookie } })).response.status).toBe(200);
		// The old name, as browsers hold it from before the upgrade, no longer signs in on HTTPS.
		const oldName = cookie.replace("__Host-", "");
		expect((await request("https://hooks.example.com/admin", { headers: { cookie: oldName } })).response.status).toBe(401);
		const signOut = await request("https://hooks.example.com/admin/sign-out", {
			method: "POST",
			headers: { cookie, origin: "https://hooks.example.com" },
			redirect: "manual",
		});
		expect(signOut.response.headers.get("set-cookie")).toMatch(/^__Host-hivepost_session=;.*Max-Age=0/);
	});

	it("still lets in a session signed before the upgrade, as Hono's cookie helper signed it", async () => {
		const key = await sha256Hex(`hivepost admin session\n${env.ADMIN_TOKEN}`);
		const cookie = (await serializeSigned("hivepost_session", String(Date.now() + 60_000), key)).split(";")[0];
		expect((await page("/admin", { headers: { cookie } })).status).toBe(200);
	});

	it("lets the session in to the page and the API", async () => {
		const cookie = await signIn();
		const home = await page("/admin", { headers: { cookie } });
		expect(home.status).toBe(200);
		expect(await home.text()).toContain("Web Hooks");
		const { response } = await request("/api/endpoints", { headers: { cookie } });
		expect(response.status).toBe(200);
	});

	it("refuses a wrong token and sets no cookie", async () => {
		const response = await submit("/admin/sign-in", { token: "wrong" }, { headers: { authorization: "" } });
		expect(response.status).toBe(401);
		expect(response.headers.get("set-cookie")).toBeNull();
		expect(await response.text()).toContain("That is not the admin token.");
	});

	it("refuses a tampered, expired, or other-token session", async () => {
		const cookie = await signIn();
		const tampered = cookie.replace(/=(\d)/, (_m, digit) => `=${(Number(digit) + 1) % 10}`);
		expect((await page("/admin", { headers: { cookie: tampered } })).status).toBe(401);

		const later = Date.now() + OPERATOR_SESSION_TTL_MS + 1000;
		vi.spyOn(Date, "now").mockReturnValue(later);
		expect((await page("/admin", { headers: { cookie } })).status).toBe(401);
		vi.restoreAllMocks();

		const { response } = await request("/admin", { headers: { cookie } }, { env: { ADMIN_TOKEN: "a-rotated-admin-token" } });
		expect(response.status).toBe(401);
	});

	it("signs out by clearing the cookie", async () => {
		const cookie = await signIn();
		const response = await submit("/admin/sign-out", {}, { headers: { cookie } });
		expect(response.status).toBe(303);
		expect(response.headers.get("set-cookie")).toMatch(/^hivepost_session=;.*Max-Age=0/);
	});
});

describe("CSRF protection", () => {
	it("refuses a cross-site form post and changes nothing", async () => {
		const cookie = await signIn();
		const attempts: Record<string, string>[] = [
			{ cookie, origin: "https://evil.example" },
			{ cookie, origin: "null" },
			{ cookie, origin: "", "sec-fetch-site": "cross-site" },
		];
		for (const headers of attempts) {
			const response = await submit("/admin/webhooks", { urls: "https://evil.example/hook" }, { headers });
			expect(response.status).toBe(403);
			expect(await response.text()).toContain("CSRF");
		}
		expect(await rows("SELECT id FROM endpoints")).toEqual([]);
	});

	// hono/csrf lets a form post through only with a same-origin Origin or Sec-Fetch-Site: one with neither (no
	// browser of today sends a form post so) cannot show it came from the page, and docs/operations.md (Security) promises that check.
	it("refuses a form post that carries neither Origin nor Sec-Fetch-Site, and changes nothing", async () => {
		const cookie = await signIn();
		const response = await page("/admin/webhooks", {
			method: "POST",
			body: new URLSearchParams({ urls: "https://evil.example/hook" }),
			headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
		});
		expect(response.status).toBe(403);
		expect(await response.text()).toContain("CSRF");
		expect(await rows("SELECT id FROM endpoints")).toEqual([]);
	});

	it("refuses a cross-site form post to the API too, riding on the session cookie", async () => {
		const cookie = await signIn();
		for (const authorization of ["", "Basic YWRtaW46cGFzcw=="]) {
			const { response } = await request("/api/endpoints", {
				method: "PUT",
				body: '{"urls": "https://evil.example/hook"}',
				headers: { cookie, authorization, "content-type": "text/plain", origin: "https://evil.example" },
			});
			expect(response.status).toBe(403);
		}
		expect(await rows("SELECT id FROM endpoints")).toEqual([]);
	});

	it("refuses a cross-site form post to the pages even when it carries a bearer token", async () => {
		for (const authorization of [`Bearer ${env.ADMIN_TOKEN}`, "Bearer anything"]) {
			const response = await submit(
				"/admin/webhooks",
				{ urls: "https://evil.example/hook" },
				{ headers: { authorization, origin: "https://evil.example" } },
			);
			expect(response.status, authorization).toBe(403);
			expect(await response.text()).toContain("CSRF");
		}
		expect(await rows("SELECT id FROM endpoints")).toEqual([]);
	});

	it("does not apply to API clients with a bearer token (no browser sends one by itself)", async () => {
		const { response } = await request("/api/endpoints", {
			method: "PUT",
			body: '{"urls": "https://a.example/hook"}',
			headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "text/plain" },
		});
		expect(response.status).toBe(200);
	});

	it("accepts a same-origin form post (Origin or Sec-Fetch-Site)", async () => {
		const cookie = await signIn();
		expect((await submit("/admin/webhooks", { urls: "https://a.example/hook" }, { headers: { cookie } })).status).toBe(303);
		const viaFetchSite = await submit(
			"/admin/webhooks",
			{ urls: "https://b.example/hook", confirm: "yes" },
			{ headers: { cookie, origin: "", "sec-fetch-site": "same-origin" } },
		);
		expect(viaFetchSite.status).toBe(303);
		expect(await rows("SELECT url FROM endpoints WHERE deleted_at IS NULL")).toEqual([{ url: "https://b.example/hook" }]);
	});
});

describe("security headers", () => {
	for (const path of ["/admin", "/api/endpoints"]) {
		it(`are strict on ${path}`, async () => {
			const response = await page(path);
			const csp = response.headers.get("content-security-policy") ?? "";
			expect(csp).toContain("default-src 'none'");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).not.toContain("script-src");
			expect(response.headers.get("x-content-type-options")).toBe("nosniff");
			expect(response.headers.get("referrer-policy")).toBe("no-referrer");
			expect(response.headers.get("x-frame-options")).toBe("DENY");
			expect(response.headers.get("cache-control")).toBe("no-store");
		});
	}

	it("are the whole strict set, on pages and the API alike", async () => {
		const strict = {
			"content-security-policy":
				"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"cross-origin-opener-policy": "same-origin",
			"cross-origin-resource-policy": "same-origin",
			"origin-agent-cluster": "?1",
			"referrer-policy": "no-referrer",
			"strict-transport-security": "max-age=15552000; includeSubDomains",
			"x-content-type-options": "nosniff",
			"x-dns-prefetch-control": "off",
			"x-download-options": "noopen",
			"x-frame-options": "DENY",
			"x-permitted-cross-domain-policies": "none",
			"x-xss-protection": "0",
		};
		for (const path of ["/admin", "/api/endpoints", "/portal"]) {
			const headers = Object.fromEntries((await page(path)).headers);
			expect(headers, path).toMatchObject(strict);
		}
	});

	it("are on refusals too: the sign-in page, a 401 from the API, a CSRF 403", async () => {
		const responses = [
			(await request("/admin")).response,
			(await request("/api/endpoints")).response,
			await submit("/admin/webhooks", { urls: "" }, { headers: { origin: "https://evil.example", authorization: "" } }),
		];
		expect(responses.map((response) => response.status)).toEqual([401, 401, 403]);
		for (const response of responses) {
			expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
			expect(response.headers.get("x-content-type-options")).toBe("nosniff");
		}
	});

	it("fail closed with a 503 page naming ADMIN_TOKEN when it is not set", async () => {
		const { response } = await request("/admin", {}, { env: { ADMIN_TOKEN: undefined } });
		expect(response.status).toBe(503);
		expect(await response.text()).toContain("ADMIN_TOKEN is not set");
	});

	it("serve the one stylesheet without signing in", async () => {
		const { response } = await request("/assets/hivepost.css");
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toContain("text/css");
	});
});

describe("Cloudflare Access mode", () => {
	const team = "hivepost-test.cloudflareaccess.com";
	const aud = "aud-tag-0123456789";
	const accessEnv = { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: aud };
	let privateKey: CryptoKey;
	let otherKey: CryptoKey;
	let rotatedKey: CryptoKey;
	let jwk: Record<string, unknown>;
	let rotatedJwk: Record<string, unknown>;
	/** What the team's certs URL serves. */
	let publishedKeys: Record<string, unknown>[];

	beforeAll(async () => {
		const pair = await generateKeyPair("RS256", { extractable: true });
		privateKey = pair.privateKey;
		otherKey = (await generateKeyPair("RS256")).privateKey;
		jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
		const rotated = await generateKeyPair("RS256", { extractable: true });
		rotatedKey = rotated.privateKey;
		rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: "rotated-key", alg: "RS256", use: "sig" };
	});

	/** Serves the team's keys at its certs URL, as Cloudflare does; anything else is a test bug. */
	function stubCerts(keys = [jwk]) {
		publishedKeys = keys;
		return vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
			const url = new Request(input).url;
			if (url === `https://${team}/cdn-cgi/access/certs`) return Response.json({ keys: publishedKeys });
			throw new Error(`unexpected fetch ${url}`);
		});
	}

	function accessJwt(
		claims: { iss?: string; aud?: string; exp?: number | null } = {},
		key = privateKey,
		header: { alg: string; kid: string } = { alg: "RS256", kid: "test-key" },
	) {
		const jwt = new SignJWT({ email: "admin@example.com" })
			.setProtectedHeader(header)
			.setIssuer(claims.iss ?? `https://${team}`)
			.setAudience(claims.aud ?? aud)
			.setIssuedAt();
		if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 300);
		return jwt.sign(key);
	}

	function asAccess(path: string, jwt?: string, init: RequestInit = {}) {
		const headers = new Headers(init.headers);
		if (jwt) headers.set("cf-access-jwt-assertion", jwt);
		return request(path, { ...init, headers }, { env: accessEnv }).then((r) => r.response);
	}

	it("signs the admin in with a valid Access JWT, without the token form", async () => {
		stubCerts();
		const response = await asAccess("/admin", await accessJwt());
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain("Web Hooks");
		expect(html).toContain("admin@example.com");
		expect((await asAccess("/api/endpoints", await accessJwt())).status).toBe(200);
	});

	for (const [name, make] of [
		["an expired JWT", () => accessJwt({ exp: Math.floor(Date.now() / 1000) - 60 })],
		["a JWT for another application", () => accessJwt({ aud: "someone-else" })],
		["a JWT from another team", () => accessJwt({ iss: "https://evil.cloudflareaccess.com" })],
		["a JWT signed with another key", () => accessJwt({}, otherKey)],
		["a JWT without an expiry", () => accessJwt({ exp: null })],
		[
			"a JWT signed with a shared secret (HS256)",
			() => accessJwt({}, new TextEncoder().encode("x".repeat(32)) as never, { alg: "HS256", kid: "test-key" }),
		],
		["a malformed JWT", async () => "not.a.jwt"],
		[
			"a JWT not valid yet",
			() =>
				new SignJWT({ email: "admin@example.com" })
					.setProtectedHeader({ alg: "RS256", kid: "test-key" })
					.setIssuer(`https://${team}`)
					.setAudience(aud)
					.setNotBefore(Math.floor(Date.now() / 1000) + 300)
					.setExpirationTime(Math.floor(Date.now() / 1000) + 600)
					.sign(privateKey),
		],
	] as const) {
		it(`refuses ${name}`, async () => {
			stubCerts();
			const pageResponse = await asAccess("/admin", await make());
			expect(pageResponse.status).toBe(401);
			const html = await pageResponse.text();
			expect(html).toContain("Cloudflare Access");
			expect(html).not.toContain('action="/admin/sign-in"');
			expect((await asAccess("/api/endpoints", await make())).status).toBe(401);
		});
	}

	it("accepts a JWT whose audience is a list naming this application", async () => {
		stubCerts();
		const jwt = await new SignJWT({ email: "admin@example.com" })
			.setProtectedHeader({ alg: "RS256", kid: "test-key" })
			.setIssuer(`https://${team}`)
			.setAudience(["another-application", aud])
			.setExpirationTime(Math.floor(Date.now() / 1000) + 300)
			.sign(privateKey);
		expect((await asAccess("/api/endpoints", jwt)).status).toBe(200);
	});

	it("follows Access's key rotation, re-fetching the keys for an unknown key at most every 30 s", async () => {
		const fetchSpy = stubCerts();
		expect((await asAccess("/api/endpoints", await accessJwt())).status).toBe(200);
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
		try {
			publishedKeys = [jwk, rotatedJwk];
			const before = fetchSpy.mock.calls.length;
			const rotatedJwt = await accessJwt({}, rotatedKey, { alg: "RS256", kid: "rotated-key" });
			expect((await asAccess("/api/endpoints", rotatedJwt)).status).toBe(200);
			expect(fetchSpy.mock.calls.length).toBe(before + 1);
			// Right after a fetch, tokens naming unknown keys are refused without fetching again.
			const unknown = await accessJwt({}, otherKey, { alg: "RS256", kid: "no-such-key" });
			expect((await asAccess("/api/endpoints", unknown)).status).toBe(401);
			expect((await asAccess("/api/endpoints", unknown)).status).toBe(401);
			expect(fetchSpy.mock.calls.length).toBe(before + 1);
		} finally {
			vi.useRealTimers();
		}
	});

	it("keeps the bearer token working for the API, and ignores session cookies", async () => {
		stubCerts();
		const bearer = await asAccess("/api/endpoints", undefined, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
		expect(bearer.status).toBe(200);
		const cookie = await signIn();
		expect((await asAccess("/admin", undefined, { headers: { cookie } })).status).toBe(401);
		const refused = await asAccess("/admin/sign-in", undefined, {
			method: "POST",
			body: new URLSearchParams({ token: env.ADMIN_TOKEN as string }),
			headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
		});
		expect(refused.status).toBe(409);
	});
});
