import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("GET / answers 303 to the admin pages", async () => {
	const response = await exports.default.fetch("http://hivepost.test/", { redirect: "manual" });
	expect(response.status).toBe(303);
	expect(response.headers.get("location")).toBe("/admin");
});
