/**
 * Manual actions cannot flood the lanes: Send test event, Retry now and
 * Redeliver together count against MANUAL_ACTIONS_PER_MINUTE per account,
 * counted exactly by the account's pacer; the next one answers 429
 * rate_limited with Retry-After and does nothing, and the page says when to
 * try again.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, json } from "../helpers/api";
import { submit } from "../helpers/pages";
import { createAccount, createEndpoint, fixture, ingest, rows, runConsumer, stubDestination } from "../helpers/worker";

const LIMIT = 3;
const limited = { env: { MANUAL_ACTIONS_PER_MINUTE: String(LIMIT) } };

afterEach(() => {
	vi.useRealTimers();
});

/** An endpoint of the default account with one delivery that failed, for Retry now and Redeliver. */
async function endpointWithAFailure() {
	stubDestination(() => new Response(null, { status: 500 }));
	const endpoint = await createEndpoint("https://receiver.example/hook");
	const { queue } = await ingest(fixture("ticket.created"));
	await runConsumer(queue.messages);
	return { endpoint, deliveryId: queue.messages[0].deliveryId };
}

describe(`MANUAL_ACTIONS_PER_MINUTE (here ${LIMIT})`, () => {
	it("counts Send test event, Retry now and Redeliver together; the next one answers 429 rate_limited with Retry-After and does nothing", async () => {
		const { endpoint, deliveryId } = await endpointWithAFailure();
		const since = new Date(Date.now() - 60_000).toISOString();
		const actions = {
			test: () => api(`/endpoints/${endpoint.id}/test`, { method: "POST", body: { action_type: "ticket.created" }, ...limited }),
			retry: () => api(`/deliveries/${deliveryId}/retry`, { method: "POST", ...limited }),
			redeliver: () => api(`/endpoints/${endpoint.id}/redeliver`, { method: "POST", body: { since }, ...limited }),
		};
		expect((await actions.test()).status).toBe(202);
		expect((await actions.retry()).status).toBe(200);
		expect((await actions.redeliver()).status).toBe(202);
		const before = { events: await rows("SELECT id FROM events"), attempts: await rows("SELECT seq FROM delivery_attempts") };
		for (const action of Object.values(actions)) {
			const refused = await action();
			expect(refused.status).toBe(429);
			const retryAfter = Number(refused.headers.get("retry-after"));
			expect(retryAfter).toBeGreaterThanOrEqual(1);
			expect(retryAfter).toBeLessThanOrEqual(60);
			expect(await json(refused)).toEqual({
				code: "rate_limited",
				error: expect.stringMatching(`${LIMIT} a minute.*Try again in ${retryAfter} second`),
			});
		}
		expect({ events: await rows("SELECT id FROM events"), attempts: await rows("SELECT seq FROM delivery_attempts") }).toEqual(before);
	});

	it("counts each account on its own", async () => {
		const { endpoint } = await endpointWithAFailure();
		for (let i = 0; i < LIMIT; i++) {
			expect(
				(await api(`/endpoints/${endpoint.id}/test`, { method: "POST", body: { action_type: "ticket.created" }, ...limited })).status,
			).toBe(202);
		}
		await createAccount("other");
		const other = await createEndpoint("https://other.example/hook", { account: "other" });
		const response = await api(`/accounts/other/endpoints/${other.id}/test`, {
			method: "POST",
			body: { action_type: "ticket.created" },
			...limited,
		});
		expect(response.status).toBe(202);
	});

	it("allows the next one once the oldest has left the minute", async () => {
		const { endpoint } = await endpointWithAFailure();
		const testEvent = () => api(`/endpoints/${endpoint.id}/test`, { method: "POST", body: { action_type: "ticket.created" }, ...limited });
		for (let i = 0; i < LIMIT; i++) expect((await testEvent()).status).toBe(202);
		const refused = await testEvent();
		expect(refused.status).toBe(429);
		vi.useFakeTimers({ toFake: ["Date"] });
		vi.setSystemTime(Date.now() + Number(refused.headers.get("retry-after")) * 1000);
		expect((await testEvent()).status).toBe(202);
	});

	it("says on the page when to try again", async () => {
		const { endpoint } = await endpointWithAFailure();
		const sendOne = () => submit(`/admin/endpoints/${endpoint.id}/test`, { action_type: "ticket.created" }, limited);
		for (let i = 0; i < LIMIT; i++) expect((await sendOne()).status).toBe(303);
		const refused = await sendOne();
		expect(refused.status).toBe(429);
		expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(await refused.text()).toMatch(/Too many manual actions.*Try again in \d+ seconds?\./s);
	});

	it("keeps a refused Retry now or Send test event on the page it came from, not an error page", async () => {
		const { endpoint, deliveryId } = await endpointWithAFailure();
		const pages = [
			[`/admin/deliveries/${deliveryId}/retry`, {}, "<title>Delivery · ", "attempts"],
			[`/admin/endpoints/${endpoint.id}/test`, { action_type: "ticket.created" }, "<title>https://receiver.example/hook · ", "test"],
		] as const;
		for (let i = 0; i < LIMIT; i++) await submit(pages[i % 2][0], pages[i % 2][1], limited);
		for (const [path, fields, title, card] of pages) {
			const refused = await submit(path, fields, limited);
			expect(refused.status, path).toBe(429);
			expect(refused.headers.get("retry-after"), path).toMatch(/^\d+$/);
			const html = await refused.text();
			expect(html, path).toContain(title);
			expect(html, path).toMatch(/<p class="error" role="alert">Too many manual actions/);
			// And in the card whose button was pressed, where the browser lands (its form posts to the card's anchor).
			expect(html, path).toMatch(new RegExp(`<h2 id="${card}">[^<]*</h2><p class="error">Too many manual actions`));
			expect(html, path).toContain(`action="${path}#${card}"`);
			expect(html, path).not.toContain("Something went wrong");
		}
	});
});
