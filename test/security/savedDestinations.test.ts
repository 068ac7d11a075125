import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	createEndpoint,
	fixture,
	ingest,
	operatorHeaders,
	request,
	rows,
	runConsumer,
	runRetryAlarm,
	stubDestination,
} from "../helpers/worker";

function post(url: string, origin = "https://admin.hivepost.example") {
	return request(`${origin}/api/endpoints`, { method: "POST", headers: operatorHeaders, body: JSON.stringify({ url }) }).then(
		(r) => r.response,
	);
}

describe("destinations are checked when saved", () => {
	for (const url of [
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]/",
		"http://LOCALHOST./",
		"http://0x7f000001/",
	]) {
		it(`refuses ${url} with 422 and says why`, async () => {
			const response = await post(url);
			expect(response.status).toBe(422);
			const error = (await response.json()) as { error: string; fields: Record<string, string> };
			expect(error.error).toMatch(/not a public internet address|inside a network/);
			expect(error.fields).toHaveProperty("url");
			expect(await rows("SELECT id FROM endpoints")).toEqual([]);
		});
	}

	it("refuses the origin the admin request came in on (a loop)", async () => {
		const response = await post("https://admin.hivepost.example/events");
		expect(response.status).toBe(422);
		expect(((await response.json()) as { error: string }).error).toMatch(/back at Hivepost/);
	});

	it("refuses an origin listed in PUBLIC_ORIGINS", async () => {
		const response = await post(`${env.PUBLIC_ORIGINS}/events`);
		expect(response.status).toBe(422);
	});

	it("refuses a private URL in SupportBee's URL list and changes nothing", async () => {
		await createEndpoint("https://keep.example/hook");
		const { response } = await request("/api/endpoints", {
			method: "PUT",
			headers: operatorHeaders,
			body: JSON.stringify({ urls: "https://keep.example/hook, http://10.0.0.7/hook" }),
		});
		expect(response.status).toBe(422);
		expect(((await response.json()) as { error: string }).error).toContain("10.0.0.7");
		expect(await rows("SELECT url FROM endpoints")).toEqual([{ url: "https://keep.example/hook" }]);
	});
});

describe("destinations are checked again before every attempt", () => {
	it("refuses, without sending, a destination that stopped being allowed while a retry was armed", async () => {
		const destination = stubDestination(() => new Response(null, { status: 500 }));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		const { queue } = await ingest(fixture("ticket.created"));
		const [{ deliveryId }] = queue.messages;
		await runConsumer([deliveryId]);
		expect(destination.requests).toHaveLength(1);
		// The URL now points somewhere private (edited, or written before a stricter rule).
		await env.DB.prepare("UPDATE endpoints SET url = 'http://169.254.169.254/latest/meta-data/' WHERE id = ?").bind(endpoint.id).run();
		await env.DB.prepare("UPDATE deliveries SET next_attempt_at = 0").run();
		const { queue: handedOver } = await runRetryAlarm(deliveryId);
		await runConsumer(handedOver.messages, { lane: "isolation" });
		expect(destination.requests).toHaveLength(1);
		const attempts = await rows<{ error: string; status_code: number | null }>(
			"SELECT error, status_code FROM delivery_attempts ORDER BY seq",
		);
		expect(attempts[1]).toEqual({ error: expect.stringMatching(/^refused: the destination is a link-local address/), status_code: null });
	});
});
