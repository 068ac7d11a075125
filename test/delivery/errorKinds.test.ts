/** A failed attempt's kind, from its status or its error text: the texts workerd really writes, and a hint for each kind. */
import { describe, expect, it } from "vitest";
import { ERROR_KINDS, errorHint, errorKind } from "../../src/delivery/errorKinds";
import { sendWebhook } from "../../src/delivery/send";

describe("error kinds", () => {
	it("come from the status when there is one", () => {
		const kinds = [200, 204, 301, 308, 401, 403, 404, 410, 429, 400, 422, 500, 503, 530].map((status) => [status, errorKind(status, null)]);
		expect(Object.fromEntries(kinds)).toEqual({
			200: null,
			204: null,
			301: "redirect",
			308: "redirect",
			401: "auth",
			403: "auth",
			404: "not_found",
			410: "gone",
			429: "rate_limited",
			400: "client_error",
			422: "client_error",
			500: "server_error",
			503: "server_error",
			530: "server_error",
		});
	});

	it("come from the error text without a status: workerd's words and Node's", () => {
		const texts = {
			"timed out: no response within 10000 ms": "timeout",
			"network error: Network connection lost.": "connection",
			"network error: Connection refused": "connection",
			"network error: fetch failed (connect ECONNREFUSED 127.0.0.1:9)": "connection",
			"network error: read ECONNRESET": "connection",
			"network error: DNS lookup failed. host = hooks.example": "dns",
			"network error: getaddrinfo ENOTFOUND hooks.example": "dns",
			"network error: TLS peer's certificate is not trusted; reason = Hostname mismatch": "tls",
			"network error: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)": "tls",
			"network error: internal error; reference = c0vn4jffm2s8jiir8irecf7c": "network",
			"refused: the destination is a private or local address": "network",
		};
		expect(Object.fromEntries(Object.keys(texts).map((text) => [text, errorKind(null, text)]))).toEqual(texts);
		expect(errorKind(null, null)).toBeNull();
	});

	it("name a closed port as connection, from what the runtime really says", async () => {
		// Port 9 (discard) on 127.0.0.1: nothing listens there.
		const result = await sendWebhook({
			url: "http://127.0.0.1:9/hook",
			body: "{}",
			webhookId: "evt_1",
			secrets: [],
			headers: {},
			timeoutMs: 2000,
		});
		expect(result).toMatchObject({ ok: false, statusCode: null });
		expect(errorKind(result.statusCode, result.error)).toBe("connection");
	});

	it("each have a one-line hint, naming the receiver's host and port where that helps", () => {
		for (const kind of ERROR_KINDS) expect(errorHint(kind, "https://hooks.example/x")).toMatch(/^\S.+\.$/);
		expect(errorHint("connection", "http://127.0.0.1:9000/hook")).toBe(
			"Nothing is listening at 127.0.0.1:9000, or it closed the connection: check that the receiver is running.",
		);
		expect(errorHint("connection", "https://hooks.example/x")).toContain("hooks.example:443");
		expect(errorHint("dns", "https://hooks.example/x")).toBe("hooks.example does not resolve: check the URL's host name.");
	});
});
