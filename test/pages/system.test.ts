/** The System page (/admin/system): is Hivepost keeping up? */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { firstStep, type MoveProgress, runStep } from "../../src/accounts/moveSteps";
import { api } from "../helpers/api";
import { page } from "../helpers/pages";
import {
	accountIdOf,
	createAccount,
	createEndpoint,
	fixture,
	ingest,
	rows,
	runConsumer,
	runEverywhere,
	runScheduled,
	stubDestination,
} from "../helpers/worker";

/** The page's text, tags and white space collapsed, for reading figures. */
const text = async () =>
	(await (await page("/admin/system")).text())
		.replace(/<[^>]+>/g, " ")
		.replace(/\s+/g, " ")
		.trim();

describe("the System page", () => {
	it("counts deliveries waiting by lane and state, over every database, and the stranded ones", async () => {
		await createAccount("acme");
		await createEndpoint("https://a.example/hook", { account: "acme" });
		await createEndpoint("https://b.example/hook");
		for (const account of ["acme", undefined]) await ingest(fixture("ticket.created"), { account });
		expect(await text()).toContain("Lane State Deliveries main pending 2");
		expect(await text()).toContain("None stranded");
		// One made its first attempt and waits for its retry; one is overdue and held by nobody.
		await runEverywhere(
			"UPDATE deliveries SET status = 'retrying', attempt_count = 1, next_attempt_at = ? WHERE endpoint_id IN (SELECT id FROM endpoints WHERE url = 'https://a.example/hook')",
			Date.now() + 3_600_000,
		);
		await runEverywhere("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL WHERE status = 'new'", Date.now() - 600_000);
		const shown = await text();
		expect(shown).toContain("isolation retrying 1 main pending 1");
		expect(shown).toContain("1 stranded");
	});

	it("counts a moving account's deliveries once, where they live, and none as stranded while the move holds them", async () => {
		const { database } = await createAccount("acme");
		expect(database).toBe("DB_1");
		await createEndpoint("https://a.example/hook", { account: "acme" });
		await ingest(fixture("ticket.created"), { account: "acme" });
		await runEverywhere("UPDATE deliveries SET next_attempt_at = ?, lease_until = NULL WHERE status = 'new'", Date.now() - 600_000);
		expect(await text()).toContain("Lane State Deliveries main pending 1 1 stranded");
		// Copied to DB_2, and its claims stopped in DB_1 for the switch: the sweep leaves both copies alone.
		let progress: MoveProgress | null = firstStep({ accountId: await accountIdOf("acme"), source: "DB_1", target: "DB_2" });
		while (progress?.phase !== "draining") progress = await runStep(env, progress as MoveProgress);
		expect(await text()).toContain("Lane State Deliveries main pending 1 None stranded");
	});

	it("shows the last run of each cron job: the sweep and retention, not the copy of deliveries that 0.6.0's cron ran", async () => {
		expect(await text()).toContain("The cron has not run yet");
		await rows(
			'INSERT INTO cron_runs (job, started_at, duration_ms, result) VALUES (\'deliveries_copy\', 1, 5, \'{"copied":0,"done":1,"failed":0}\')',
		);
		await runScheduled();
		const shown = await text();
		expect(shown).toMatch(/Sweep \(stranded deliveries, auto-disable\) .+ \d+ ms requeued 0 · failed 0 · disabled 0/);
		expect(shown).toMatch(/Retention \(old history\) .+ \d+ ms deliveries 0 · events 0/);
		expect(shown).not.toContain("deliveries_copy");
		expect(shown).not.toContain("copied 0");
	});

	it("lists each operational endpoint with its recent messages and how their delivery went", async () => {
		expect(await text()).toContain("None: register one");
		await api("/operational-endpoints", { method: "POST", body: { url: "https://ops.example/hook" } });
		await createAccount("acme");
		await createEndpoint("https://receiver.example/hook", { account: "acme" });
		stubDestination(({ url }) => new Response(null, { status: url.startsWith("https://ops") ? 204 : 410 }));
		const { queue } = await ingest(fixture("ticket.created"), { account: "acme" });
		await runConsumer((await runConsumer(queue.messages)).queue.messages);
		expect(await text()).toMatch(/https:\/\/ops\.example\/hook Enabled Message At Delivery endpoint\.disabled .+ delivered 1 attempt/);
	});
});
