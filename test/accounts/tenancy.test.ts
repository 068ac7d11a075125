/**
 * Accounts never see each other: every account-scoped route, given an id that
 * belongs to another account, answers 404 (never 403: no hint that it
 * exists), in the API and in the pages, and changes nothing.
 */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import { page, submit } from "../helpers/pages";
import {
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	rows,
	rowsEverywhere,
	runConsumer,
	stubDestination,
	tableRows,
} from "../helpers/worker";

/** An endpoint with one event, attempted once (with `settings`), in the default account or in `uid`'s. */
async function populated(uid?: string, settings: Partial<Env> = {}) {
	const endpoint = await createEndpoint(`https://${uid ?? "default"}.example/hook`, { account: uid });
	const { queue, response } = await ingest(fixture("ticket.created"), { account: uid });
	const { event_id } = (await response.json()) as { event_id: string };
	await runConsumer(queue.messages, { env: settings });
	return { endpoint, eventId: event_id, deliveryId: queue.messages[0].deliveryId };
}

const apiRoutes = (ids: { endpoint: { id: string }; eventId: string; deliveryId: string }) =>
	[
		["GET", `/endpoints/${ids.endpoint.id}`],
		["PATCH", `/endpoints/${ids.endpoint.id}`, { enabled: false }],
		["DELETE", `/endpoints/${ids.endpoint.id}`],
		["GET", `/endpoints/${ids.endpoint.id}/secret`],
		["POST", `/endpoints/${ids.endpoint.id}/rotate-secret`],
		["POST", `/endpoints/${ids.endpoint.id}/test`, { action_type: "ticket.created" }],
		["POST", `/endpoints/${ids.endpoint.id}/redeliver`, { since: "2020-01-01T00:00:00Z" }],
		["GET", `/deliveries/${ids.deliveryId}`],
		["POST", `/deliveries/${ids.deliveryId}/retry`],
		["GET", `/events/${ids.eventId}`],
	] as const;

describe("another account's ids", () => {
	it("answer 404 on every account-scoped API route, in both directions, and change nothing", async () => {
		stubDestination(() => new Response(null, { status: 500 }));
		await createAccount("acme");
		// Failed for good: Redeliver failed and Retry now have something to change, as the edits do.
		const mine = await populated(undefined, { MAX_RETRIES: "0" });
		const theirs = await populated("acme", { MAX_RETRIES: "0" });
		expect(await rowsEverywhere("SELECT status FROM deliveries")).toEqual([{ status: "failed" }, { status: "failed" }]);
		const before = await tableRows();
		for (const [prefix, ids] of [
			["/accounts/acme", mine],
			["", theirs],
		] as const) {
			for (const [method, path, body] of apiRoutes(ids)) {
				const response = await api(`${prefix}${path}`, { method, body });
				expect(response.status, `${method} ${prefix}${path}`).toBe(404);
				expect(await json(response)).toMatchObject({ code: "not_found" });
			}
		}
		expect(await tableRows()).toEqual(before);
	});

	it("never show up in another account's lists, counts or log filters", async () => {
		stubDestination(() => new Response("ok"));
		await createAccount("acme");
		const mine = await populated();
		await populated("acme");
		const endpoints = await json<{ endpoints: { id: string }[] }>(await api("/endpoints"));
		expect(endpoints.endpoints.map((endpoint) => endpoint.id)).toEqual([mine.endpoint.id]);
		const deliveries = await json<{ deliveries: { id: string }[] }>(await api("/deliveries"));
		expect(deliveries.deliveries.map((delivery) => delivery.id)).toEqual([mine.deliveryId]);
		const events = await json<{ events: { id: string }[] }>(await api("/events"));
		expect(events.events.map((event) => event.id)).toEqual([mine.eventId]);
		const stats = await json<{ events_received_24h: number; deliveries_delivered_24h: number; endpoints: unknown[] }>(await api("/stats"));
		expect(stats).toMatchObject({ events_received_24h: 1, deliveries_delivered_24h: 1 });
		expect(stats.endpoints).toHaveLength(1);
		// Filtering the log by another account's endpoint finds nothing.
		const theirs = await json<{ endpoints: { id: string }[] }>(await api("/accounts/acme/endpoints"));
		const filtered = await json<{ deliveries: unknown[] }>(await api(`/deliveries?endpoint_id=${theirs.endpoints[0].id}`));
		expect(filtered.deliveries).toEqual([]);
	});

	it("answer 404 on the operator's pages of another account too", async () => {
		stubDestination(() => new Response("ok"));
		await createAccount("acme");
		const mine = await populated();
		const theirs = await populated("acme");
		for (const path of [
			`/admin/accounts/acme/endpoints/${mine.endpoint.id}`,
			`/admin/accounts/acme/deliveries/${mine.deliveryId}`,
			`/admin/accounts/acme/events/${mine.eventId}`,
			`/admin/endpoints/${theirs.endpoint.id}`,
			`/admin/deliveries/${theirs.deliveryId}`,
			`/admin/events/${theirs.eventId}`,
		]) {
			expect((await page(path)).status, path).toBe(404);
		}
		const deleted = await submit(`/admin/accounts/acme/endpoints/${mine.endpoint.id}/delete`, { confirm: "yes" });
		expect(deleted.status).toBe(404);
		expect(await rows("SELECT deleted_at FROM endpoints WHERE id = ?", mine.endpoint.id)).toEqual([{ deleted_at: null }]);
	});
});
