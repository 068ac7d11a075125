import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("GET /health answers 200 without credentials", async () => {
	const response = await exports.default.fetch("http://hivepost.test/health");
	expect(response.status).toBe(200);
	expect(await response.json()).toEqual({ ok: true });
});
