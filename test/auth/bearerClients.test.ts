/** API clients send a bearer token and often no body: the CSRF check, which is for browser forms, never stands in their way. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { createEndpoint, fixture, ingest, stubDestination } from "../helpers/worker";

const bearerOnly = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

describe("API clients with a bearer token and no body", () => {
	it("can delete an endpoint, rotate a secret and retry a delivery (the CSRF check is for browser forms)", async () => {
		stubDestination(() => new Response("ok"));
		const endpoint = await createEndpoint("https://receiver.example/hook");
		expect((await api(`/endpoints/${endpoint.id}/rotate-secret`, { method: "POST", headers: bearerOnly })).status).toBe(200);
		const { queue } = await ingest(fixture("ticket.created"));
		expect((await api(`/deliveries/${queue.messages[0].deliveryId}/retry`, { method: "POST", headers: bearerOnly })).status).toBe(200);
		expect((await api(`/endpoints/${endpoint.id}`, { method: "DELETE", headers: bearerOnly })).status).toBe(204);
	});
});
