import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ERROR_CODES, ERROR_STATUS } from "../../src/http/errors";
import { ERROR_TABLE_END, ERROR_TABLE_START } from "../../src/openapi/errorCatalogue";
import { createEndpoint, ingest, operatorHeaders, request } from "../helpers/worker";

// docs/api.md as committed, if it is (import.meta.glob finds nothing rather than failing when it is not).
const API_DOCS = import.meta.glob<string>("../../docs/api.md", { query: "?raw", import: "default", eager: true });

describe("the error shape", () => {
	it("gives every error a stable code next to its message", async () => {
		const { response } = await request("/api/endpoints", { method: "POST", headers: operatorHeaders, body: "{" });
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ error: expect.stringContaining("not valid JSON"), code: "invalid_json" });
	});

	it("maps every code to one error status: the one docs/api.md's error table gives, a 4xx or a 5xx", () => {
		// The table between the error-codes markers (npm run openapi writes it): | status | `code` | meaning |.
		const docs = API_DOCS["../../docs/api.md"] ?? "";
		const table = docs.slice(docs.indexOf(ERROR_TABLE_START), docs.indexOf(ERROR_TABLE_END));
		const documented = Object.fromEntries(
			[...table.matchAll(/^\|\s*(\d{3})\s*\|\s*`([a-z0-9_]+)`/gm)].map(([, status, code]) => [code, Number(status)]),
		);
		expect(documented).toEqual(ERROR_STATUS);
		for (const code of ERROR_CODES) expect(Math.floor(ERROR_STATUS[code] / 100), code).toBeOneOf([4, 5]);
	});

	it("names the Bearer scheme on every 401", async () => {
		const api = (await request("/api/endpoints")).response;
		const ingested = (await ingest("{}", { headers: { authorization: "Bearer wrong" } })).response;
		for (const response of [api, ingested]) {
			expect(response.status).toBe(401);
			expect(response.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
			expect(((await response.json()) as { code: string }).code).toBe("unauthorized");
		}
	});
});

describe("request ids", () => {
	it("answers with X-Request-Id: Cloudflare's cf-ray when present, else a fresh id", async () => {
		const withRay = (await request("/health", { headers: { "cf-ray": "8f1c2d3e4a5b6c7d-AMS" } })).response;
		expect(withRay.headers.get("x-request-id")).toBe("8f1c2d3e4a5b6c7d-AMS");
		const [first, second] = await Promise.all([request("/health"), request("/health")]);
		const ids = [first.response, second.response].map((response) => response.headers.get("x-request-id"));
		expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
		expect(ids[0]).not.toBe(ids[1]);
	});

	it("is on errors too, and a 500's body and log line carry it, as structured JSON without secrets", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await env.DB.prepare("CREATE TRIGGER injected_fault BEFORE UPDATE ON endpoints BEGIN SELECT RAISE(ABORT, 'injected fault'); END").run();
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		try {
			const { response } = await request(`/api/endpoints/${endpoint.id}/rotate-secret`, { method: "POST", headers: operatorHeaders });
			expect(response.status).toBe(500);
			const id = response.headers.get("x-request-id");
			expect(await response.json()).toEqual({ error: expect.stringContaining("Internal error"), code: "internal_error", request_id: id });
			const line = JSON.parse(String(logged.mock.calls[0][0]));
			expect(line).toMatchObject({ event: "unhandled_error", level: "error", request_id: id, method: "POST" });
			expect(line.path).toBe(`/api/endpoints/${endpoint.id}/rotate-secret`);
			expect(JSON.stringify(line)).not.toContain(endpoint.secret);
		} finally {
			await env.DB.prepare("DROP TRIGGER injected_fault").run();
		}
	});
});
