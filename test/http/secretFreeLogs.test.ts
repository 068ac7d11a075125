/** Log lines of a failed write: what went wrong, never the signing secret or a header value its statement carried. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../helpers/api";
import { createEndpoint } from "../helpers/worker";

afterEach(async () => {
	await env.DB.prepare("DROP TRIGGER IF EXISTS injected_fault").run();
});

describe("logs", () => {
	it("never show a signing secret or a header value when a write fails", async () => {
		const endpoint = await createEndpoint("https://receiver.example/hook");
		await env.DB.prepare("CREATE TRIGGER injected_fault BEFORE UPDATE ON endpoints BEGIN SELECT RAISE(ABORT, 'injected fault'); END").run();
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		expect((await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST" })).status).toBe(500);
		expect(
			(await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { headers: { Authorization: "Bearer receiver-secret-value" } } }))
				.status,
		).toBe(500);
		const text = logged.mock.calls.map((call) => call.join(" ")).join("\n");
		expect(text).toContain("injected fault");
		expect(text).not.toContain(endpoint.secret);
		expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{20,}/);
		expect(text).not.toContain("receiver-secret-value");
	});
});
