/**
 * Auto-disable: an endpoint without a success for DISABLE_AFTER_SECONDS is
 * disabled at its next failed attempt or by the cron, telling the operator
 * (endpoint.disabled, cause failing); 0 means never; re-enabling clears the
 * streak.
 */
import { describe, expect, it } from "vitest";
import { api, json } from "../helpers/api";
import {
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	operatorMessages,
	rowsEverywhere,
	runConsumer,
	runEverywhere,
	runScheduled,
	stubDestination,
} from "../helpers/worker";

const RECEIVER = "https://receiver.example/hook";
const DAY_MS = 86_400_000;

async function failingEndpoint() {
	await api("/operational-endpoints", { method: "POST", body: { url: "https://ops.example/hook" } });
	await createAccount("acme");
	const endpoint = await createEndpoint(RECEIVER, { account: "acme" });
	stubDestination(({ url }) => new Response(null, { status: url === RECEIVER ? 500 : 200 }));
	return endpoint;
}

async function fail(env: Partial<Env> = {}) {
	const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
	return (await runConsumer(queue.messages, { env })).queue.messages;
}

/** Moves the endpoint's streak back in time by `ms`. */
const ageStreak = (endpointId: string, ms: number) =>
	runEverywhere("UPDATE endpoints SET failing_since = failing_since - ? WHERE id = ?", ms, endpointId);

const endpointRow = async (id: string) =>
	(
		await rowsEverywhere<Record<string, unknown>>(
			"SELECT enabled, disabled_cause, disabled_reason, consecutive_failures, failing_since FROM endpoints WHERE id = ?",
			id,
		)
	)[0];

const disabledMessages = () => operatorMessages("endpoint.disabled");

const REASON = "No automatic attempt succeeded for 5 days (DISABLE_AFTER_SECONDS), so Hivepost disabled it.";

describe("auto-disable", () => {
	it("disables an endpoint at its first failed attempt once its streak is DISABLE_AFTER_SECONDS old, telling the operator once", async () => {
		const endpoint = await failingEndpoint();
		const env = { ALERT_AFTER_FAILURES: "100" };
		await fail(env);
		await ageStreak(endpoint.id, 5 * DAY_MS - 60_000);
		await fail(env);
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: 2 });
		await ageStreak(endpoint.id, 60_000);
		const pending = (await ingest(fixture("ticket.created"), { account: "acme" })).queue.messages;
		expect(await fail(env)).toHaveLength(1);
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 0, disabled_cause: "failing", disabled_reason: REASON });
		// What was waiting for it is cancelled (Resend everything since … sends it again).
		expect(await rowsEverywhere("SELECT status FROM deliveries WHERE id = ?", pending[0].deliveryId)).toEqual([{ status: "cancelled" }]);
		expect(await disabledMessages()).toEqual([
			{
				type: "endpoint.disabled",
				timestamp: expect.any(String),
				data: { account: "acme", endpoint_id: endpoint.id, url: RECEIVER, disabled_cause: "failing", disabled_reason: REASON },
			},
		]);
		expect(await fail(env)).toEqual([]);
		expect(await disabledMessages()).toHaveLength(1);
	});

	it("is done by the cron for an endpoint that gets no attempts any more", async () => {
		const endpoint = await failingEndpoint();
		await fail();
		await runScheduled();
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1 });
		await ageStreak(endpoint.id, 5 * DAY_MS);
		const queued = await runScheduled();
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 0, disabled_cause: "failing", disabled_reason: REASON });
		expect((await disabledMessages()).map((message) => message.data.disabled_cause)).toEqual(["failing"]);
		expect(queued.messages).toHaveLength(1);
		await runScheduled();
		expect(await disabledMessages()).toHaveLength(1);
	});

	it("never happens with DISABLE_AFTER_SECONDS 0", async () => {
		const endpoint = await failingEndpoint();
		await fail();
		await ageStreak(endpoint.id, 400 * DAY_MS);
		await fail({ DISABLE_AFTER_SECONDS: "0" });
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: 2 });
	});

	it("leaves an endpoint alone whose streak is older but that has had a success since", async () => {
		const endpoint = await failingEndpoint();
		await fail();
		await ageStreak(endpoint.id, 6 * DAY_MS);
		stubDestination(() => new Response(null, { status: 200 }));
		await fail();
		await runScheduled();
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: 0, failing_since: null });
	});
});

describe("re-enabling", () => {
	it("clears the streak, so the endpoint is not disabled again at its next failure", async () => {
		const endpoint = await failingEndpoint();
		await fail();
		await ageStreak(endpoint.id, 5 * DAY_MS);
		await fail();
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 0 });
		const enabled = await api(`/accounts/acme/endpoints/${endpoint.id}`, { method: "PATCH", body: { enabled: true } });
		expect(await json(enabled)).toMatchObject({
			enabled: true,
			health: { status: "working", consecutive_failures: 0, failing_since: null },
		});
		expect(await endpointRow(endpoint.id)).toMatchObject({
			enabled: 1,
			consecutive_failures: 0,
			failing_since: null,
			disabled_cause: null,
		});
		await fail();
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, consecutive_failures: 1 });
	});
});
