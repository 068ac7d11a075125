/**
 * The main lane first within an isolate: while a main-lane batch that is
 * behind runs, a bulk-lane batch beside it keeps BULK_SENDS_WHILE_MAIN_BEHIND
 * send in flight, and every connection again once that batch has finished;
 * beside a main-lane batch that keeps up, it is not held back.
 */
import { expect, it } from "vitest";
import { LANES_PER_INVOCATION } from "../../src/delivery/isolation";
import { BULK_SENDS_WHILE_MAIN_BEHIND, MAIN_LANE_BEHIND_MS } from "../../src/delivery/lanePriority";
import { accountWithEndpoints, fixture, ingest, runConsumer, sleep, stubDestination } from "../helpers/worker";

/**
 * A main-lane batch (one delivery, answered after 200 ms) whose message waited `mainWaitedMs`, and beside it a bulk-lane
 * batch of 30 deliveries to three endpoints (answered after 20 ms each). Returns the bulk lane's most sends in flight at
 * once while the main lane's send was under way, and after the main-lane batch finished.
 */
async function bulkBesideMain(mainWaitedMs: number) {
	await accountWithEndpoints("quiet", 1);
	await accountWithEndpoints("noisy", 3);
	// "beside": while the main lane's send is under way; "between": its batch is recording it.
	let phase: "before" | "beside" | "between" | "after" = "before";
	let inFlight = 0;
	const peak = { before: 0, beside: 0, between: 0, after: 0 };
	stubDestination(async (request) => {
		if (request.url.startsWith("https://quiet-0.example")) {
			phase = "beside";
			await sleep(200);
			phase = "between";
			return new Response("ok");
		}
		peak[phase] = Math.max(peak[phase], ++inFlight);
		await sleep(20);
		inFlight--;
		return new Response("ok");
	});
	const main = (await ingest(fixture("ticket.created"), { account: "quiet" })).queue.messages;
	const bulk = [];
	for (let i = 0; i < 10; i++) bulk.push(...(await ingest(fixture("ticket.created"), { account: "noisy" })).queue.messages);
	const mainDone = runConsumer(main, { enqueuedAt: new Date(Date.now() - mainWaitedMs) }).then(() => {
		phase = "after";
	});
	const bulkDone = runConsumer(bulk, { lane: "bulk" });
	await Promise.all([mainDone, bulkDone]);
	return peak;
}

it(`keeps a bulk-lane batch to ${BULK_SENDS_WHILE_MAIN_BEHIND} send in flight while a main-lane batch that is behind runs, and to every connection after it`, async () => {
	const peak = await bulkBesideMain(MAIN_LANE_BEHIND_MS + 1000);
	expect(peak.beside).toBe(BULK_SENDS_WHILE_MAIN_BEHIND);
	expect(peak.after).toBe(LANES_PER_INVOCATION);
});

it("does not hold the bulk lane back beside a main-lane batch that keeps up", async () => {
	const peak = await bulkBesideMain(0);
	expect(peak.beside).toBe(LANES_PER_INVOCATION);
});
