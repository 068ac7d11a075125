/**
 * One status per endpoint, in the API: working, failing (since when, how many
 * in a row, the last error and its kind) or disabled (why and when); and the
 * stats that count retrying deliveries and failing endpoints, the issue's
 * four receivers: one healthy, one answering 500, a closed port, one gone.
 */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingest, runConsumer, stubDestination } from "../helpers/worker";

interface Endpoint {
	url: string;
	enabled: boolean;
	disabled_cause: string | null;
	disabled_at: string | null;
	health: {
		status: string;
		failing_since: string | null;
		consecutive_failures: number;
		last_error: string | null;
		last_error_kind: string | null;
	};
}

function fourReceivers() {
	stubDestination((request) => {
		const host = new URL(request.url).hostname;
		if (host === "closed.example") throw new TypeError("Network connection lost.");
		return new Response(null, { status: host === "ok.example" ? 200 : host === "gone.example" ? 410 : 500 });
	});
}

describe("an endpoint's health", () => {
	it("says working, failing or disabled, with the last error, its kind, and why and when it was disabled", async () => {
		fourReceivers();
		for (const name of ["ok", "down", "closed", "gone"]) await createEndpoint(`https://${name}.example/hook`);
		const before = Date.now();
		for (let i = 0; i < 2; i++) await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
		const { endpoints } = await json<{ endpoints: Endpoint[] }>(await api("/endpoints"));
		const [ok, down, closed, gone] = endpoints;
		expect(ok).toMatchObject({ disabled_cause: null, health: { status: "working", failing_since: null, consecutive_failures: 0 } });
		expect(down.health).toEqual({
			status: "failing",
			failing_since: expect.any(String),
			consecutive_failures: 2,
			last_error: "HTTP 500",
			last_error_kind: "server_error",
		});
		expect(Date.parse(down.health.failing_since as string)).toBeGreaterThanOrEqual(before);
		expect(closed.health).toMatchObject({ status: "failing", last_error_kind: "connection" });
		expect(gone).toMatchObject({ enabled: false, disabled_cause: "gone", health: { status: "disabled", last_error_kind: "gone" } });
		expect(Date.parse(gone.disabled_at as string)).toBeGreaterThanOrEqual(before);
	});

	it("records a disable by hand as such, and enabling clears why and when", async () => {
		const endpoint = await createEndpoint("https://a.example/hook");
		const disabled = await json<Endpoint>(await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: false } }));
		expect(disabled).toMatchObject({ disabled_cause: "manual", disabled_at: expect.any(String), health: { status: "disabled" } });
		const enabled = await json<Endpoint>(await api(`/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: true } }));
		expect(enabled).toMatchObject({ disabled_cause: null, disabled_at: null, disabled_reason: null, health: { status: "working" } });
	});
});

describe("the stats", () => {
	it("count what is retrying now and the endpoints failing now, beside the deliveries that ended", async () => {
		fourReceivers();
		for (const name of ["ok", "down", "closed", "gone"]) await createEndpoint(`https://${name}.example/hook`);
		await runConsumer((await ingest(fixture("ticket.created"))).queue.messages);
		const stats = await json<Record<string, unknown>>(await api("/stats"));
		expect(stats).toMatchObject({
			deliveries_delivered_24h: 1,
			deliveries_failed_24h: 1,
			retrying_now: 2,
			failing_endpoints: 2,
		});
	});
});
