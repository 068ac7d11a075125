/**
 * Request body limits on every route of the API and the pages (ingest has its
 * own, tested with ingest): 256 KB for Update App, 128 KB for creating or
 * editing an endpoint, 64 KB for the rest; past it, 413 payload_too_large,
 * as JSON on the API and as the error page on the pages, whether the body
 * declares its length or not.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { MAX_BODY_BYTES } from "../../src/http/bodyLimit";
import { ORIGIN } from "../helpers/pages";
import { createAccount, createEndpoint, operatorHeaders, request, rows, rowsEverywhere } from "../helpers/worker";

/** The routes that take more than the default, by method and path as the app registers them. */
const LARGER: [RegExp, number][] = [
	[/^PUT \/api(\/accounts\/:uid)?\/endpoints$/, MAX_BODY_BYTES.updateApp],
	[/^POST \/(admin(\/accounts\/:uid)?|portal)\/webhooks$/, MAX_BODY_BYTES.updateApp],
	[/^POST \/api(\/accounts\/:uid|\/operational)?[/-]endpoints$/, MAX_BODY_BYTES.endpoint],
	[/^PATCH \/api(\/accounts\/:uid|\/operational)?[/-]endpoints\/:id$/, MAX_BODY_BYTES.endpoint],
	[/^POST \/(admin(\/accounts\/:uid)?|portal)\/endpoints\/:id\/(settings|headers)$/, MAX_BODY_BYTES.endpoint],
];

/** Every route of the API and the pages that a request with a body can reach, with the limit it should have. */
function routesWithBodies(): { method: string; path: string; limit: number }[] {
	const seen = new Set<string>();
	return app.routes.flatMap(({ method, path }) => {
		const route = `${method} ${path}`;
		if (!["POST", "PUT", "PATCH", "DELETE"].includes(method) || !/^\/(api|admin|portal)\//.test(path) || seen.has(route)) return [];
		seen.add(route);
		return [{ method, path, limit: LARGER.find(([pattern]) => pattern.test(route))?.[1] ?? MAX_BODY_BYTES.other }];
	});
}

/** A portal session for acme, as the browser holds it after opening a link. */
async function portalCookie(): Promise<string> {
	const { response: minted } = await request("/api/accounts/acme/admin-links", { method: "POST", headers: operatorHeaders });
	const { url } = (await minted.json()) as { url: string };
	const { pathname, search } = new URL(url);
	const { response } = await request(`${pathname}${search}`, { redirect: "manual" });
	return /hivepost_portal=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] ?? "";
}

/** A request to `path` with `body`, credentialed and same-origin as its surface needs; JSON to the API, a form to the pages. */
function send(method: string, path: string, body: BodyInit, cookie: string, headers: Record<string, string> = {}) {
	const api = path.startsWith("/api/");
	const credentials: Record<string, string> = path.startsWith("/portal/") ? { cookie } : { authorization: `Bearer ${env.ADMIN_TOKEN}` };
	const contentType = api ? "application/json" : "application/x-www-form-urlencoded";
	return request(path, {
		method,
		body,
		headers: { ...credentials, origin: ORIGIN, "content-type": contentType, ...headers },
		redirect: "manual",
	});
}

const concrete = (path: string, endpointId: string) => path.replace(":uid", "acme").replace(":id", endpointId);

/** `size` bytes: a request the route would take, padded with white space (JSON) or an ignored field (forms). */
function paddedBody(path: string, size: number, content: Record<string, string>): string {
	if (path.startsWith("/api/")) {
		const json = JSON.stringify(content);
		return json + " ".repeat(size - json.length);
	}
	const form = `${new URLSearchParams(content)}&pad=`;
	return form + "x".repeat(size - form.length);
}

describe("request body limits", () => {
	it("cover every API and page route that takes a body: one byte over its limit is a 413, and nothing changes", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://keep.example/hook", { account: "acme" });
		const cookie = await portalCookie();
		const routes = routesWithBodies();
		expect(routes.length).toBeGreaterThan(30);
		for (const { method, path, limit } of routes) {
			const where = `${method} ${path}`;
			const { response } = await send(method, concrete(path, endpoint.id), "x".repeat(limit + 1), cookie);
			expect(response.status, where).toBe(413);
			const text = await response.text();
			if (path.startsWith("/api/")) {
				expect(JSON.parse(text), where).toMatchObject({ code: "payload_too_large", error: expect.stringContaining(`${limit / 1024} KB`) });
			} else {
				expect(response.headers.get("content-type"), where).toMatch(/^text\/html/);
				expect(text, where).toContain(`The request body is larger than ${limit / 1024} KB`);
			}
		}
		expect(await rows("SELECT uid FROM accounts WHERE deleted_at IS NULL AND uid != '_operator' ORDER BY uid")).toEqual([
			{ uid: "acme" },
			{ uid: "default" },
		]);
		expect(await rowsEverywhere("SELECT url FROM endpoints")).toEqual([{ url: "https://keep.example/hook" }]);
		expect((await request("/portal", { headers: { cookie } })).response.status).toBe(200);
	});

	it("let Update App and endpoint edits take bodies up to their larger limits", async () => {
		await createAccount("acme");
		const endpoint = await createEndpoint("https://keep.example/hook", { account: "acme" });
		const cookie = await portalCookie();
		const cases: [string, string, number, Record<string, string>, number][] = [
			["PUT", "/api/accounts/acme/endpoints", MAX_BODY_BYTES.updateApp, { urls: "https://keep.example/hook" }, 200],
			["POST", "/portal/webhooks", MAX_BODY_BYTES.updateApp, { urls: "https://keep.example/hook" }, 303],
			["POST", "/api/accounts/acme/endpoints", MAX_BODY_BYTES.endpoint, { url: "https://new.example/hook" }, 201],
			["PATCH", `/api/accounts/acme/endpoints/${endpoint.id}`, MAX_BODY_BYTES.endpoint, { url: "https://edited.example/hook" }, 200],
			["POST", `/portal/endpoints/${endpoint.id}/headers`, MAX_BODY_BYTES.endpoint, { name: "X-Token", value: "abc123456" }, 303],
		];
		for (const [method, path, limit, content, status] of cases) {
			const { response } = await send(method, path, paddedBody(path, limit, content), cookie);
			expect(response.status, `${method} ${path}`).toBe(status);
		}
		expect(await rowsEverywhere("SELECT url FROM endpoints ORDER BY url")).toEqual([
			{ url: "https://edited.example/hook" },
			{ url: "https://new.example/hook" },
		]);
	});

	it("count a body sent without Content-Length as it arrives: past the limit it is a 413, within it the route reads it whole", async () => {
		const chunked = (text: string) => {
			const bytes = new TextEncoder().encode(text);
			return new ReadableStream<Uint8Array>({
				start(controller) {
					for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.slice(at, at + 16 * 1024));
					controller.close();
				},
			});
		};
		const over = await send("PUT", "/api/endpoints", chunked("x".repeat(MAX_BODY_BYTES.updateApp + 1)), "");
		expect(over.response.status).toBe(413);
		expect(await over.response.json()).toMatchObject({ code: "payload_too_large" });
		const within = await send(
			"PUT",
			"/api/endpoints",
			chunked(paddedBody("/api/", MAX_BODY_BYTES.updateApp, { urls: "https://a.example/hook" })),
			"",
		);
		expect(within.response.status).toBe(200);
		expect(await rowsEverywhere("SELECT url FROM endpoints")).toEqual([{ url: "https://a.example/hook" }]);
	});
});
