/**
 * Records this release's statements into fixtures/<version>.json (see
 * releaseStatements.ts). Not part of `npm test`: `npm run record:statements`
 * runs it once per release, on the release's own code (migrations/README.md).
 *
 * One account's day, walked through the release's own functions so each
 * statement runs with realistic parameters and touches rows: the account and
 * its endpoints are set up through the API (one answers 200, one 500, one 410
 * Gone), and an operational endpoint; events arrive (one repeated with its
 * Idempotency-Key), a wave is claimed and recorded, the failing delivery is
 * retried until its last attempt dies with its Worker, the sweep takes up
 * what is stranded and marks that one failed (telling the operator), an admin
 * retries it now, redelivers it and sends a test event, the cron runs whole
 * (storing the operator's message), another account is deleted and purged, a
 * year later retention purges what is finished, and spent links and sessions,
 * and the account moves to another database, its mover's steps one after
 * another.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { expect, it } from "vitest";
import { version } from "../../package.json";
import { purgeDeletedAccounts } from "../../src/accounts/accountDeletion";
import { purgeSpentLinksAndSessions } from "../../src/accounts/links";
import { firstStep, type MoveProgress, runStep } from "../../src/accounts/moveSteps";
import { readSettings } from "../../src/config";
import { accountDatabase, directoryDatabase } from "../../src/db/client";
import { RECENT_ACCOUNT_MS } from "../../src/db/directory";
import { purgeExpired } from "../../src/db/retention";
import { claimWave, waveRows } from "../../src/delivery/claim";
import { HealthLedger } from "../../src/delivery/health";
import type { DeliveryMessage } from "../../src/delivery/queue";
import { recordAttempts } from "../../src/delivery/record";
import { checkAndSend } from "../../src/delivery/send";
import worker from "../../src/index";
import { purgeExpiredSignedIds } from "../../src/ingest/signedIds";
import { newId } from "../../src/lib/ids";
import { newSigningSecret } from "../../src/lib/standardWebhooks";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../src/lib/time";
import { sweep } from "../../src/retry/sweep";
import { api, json } from "../helpers/api";
import { type RecordedStatement, recordingDatabase } from "../helpers/recordingDatabase";
import {
	accountIdOf,
	databaseBinding,
	fixture,
	ingest,
	recordingQueues,
	request,
	sleep,
	stubDestination,
	TEST_DATABASES,
	type TestDatabase,
	testEnv,
} from "../helpers/worker";
import { type ReleasePath, type ReleaseStatement, toFixtureParam } from "./releaseStatements";

const ANSWERS: Record<string, number> = {
	"https://ok.example/hook": 200,
	"https://fails.example/hook": 500,
	"https://gone.example/hook": 410,
};

it(`records the statements of release ${version}`, async () => {
	const statements: ReleaseStatement[] = [];
	/**
	 * Runs `steps` with `DB` (and `also`) recording and the other databases unbound in the env overrides, so the day
	 * runs on one database (the move on two), as the upgrade test replays it; what they ran is kept under `path`, in
	 * order, each statement of another database than DB named with it.
	 */
	const during = async <T>(
		path: ReleasePath,
		steps: (overrides: Partial<Env>) => Promise<T>,
		also: readonly TestDatabase[] = [],
	): Promise<T> => {
		const recorded: RecordedStatement[] = [];
		const recording = (name: TestDatabase) =>
			name === "DB" || also.includes(name)
				? recordingDatabase(recorded, databaseBinding(name), name === "DB" ? undefined : name)
				: undefined;
		const result = await steps(Object.fromEntries(TEST_DATABASES.map((name) => [name, recording(name)])));
		statements.push(...recorded.map((statement) => ({ path, ...statement, params: statement.params.map(toFixtureParam) })));
		return result;
	};
	const settings = readSettings(env);
	stubDestination((request) => new Response(null, { status: ANSWERS[request.url] ?? 200 }));

	const acmeDatabase = await during("accounts", async (overrides) => {
		const created = await api("/accounts/acme", { method: "PUT", body: { name: "Acme Support" }, env: overrides });
		expect(created.status).toBe(201);
		return (await json<{ database: string }>(created)).database;
	});
	const endpointIds = await during("endpoints", async (overrides) => {
		const ids: Record<string, string> = {};
		for (const url of Object.keys(ANSWERS)) {
			const created = await api("/accounts/acme/endpoints", { method: "POST", body: { url }, env: overrides });
			ids[url] = (await json<{ id: string }>(created)).id;
		}
		const operational = await api("/operational-endpoints", { method: "POST", body: { url: "https://ops.example/hook" }, env: overrides });
		expect(operational.status).toBe(201);
		return ids;
	});
	await during("accounts", async (overrides) => {
		const link = await json<{ url: string }>(
			await api("/accounts/acme/admin-links", { method: "POST", body: { admin: "jane" }, env: overrides }),
		);
		const { pathname, search } = new URL(link.url);
		expect((await request(`${pathname}${search}`, {}, { env: overrides })).response.status).toBe(303);
	});

	const first = await during("ingest", async (overrides) => {
		const sent = await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k-1" }, env: overrides, account: "acme" });
		expect(sent.response.status).toBe(202);
		const repeated = await ingest(fixture("ticket.created"), { headers: { "idempotency-key": "k-1" }, env: overrides, account: "acme" });
		expect(repeated.response.status).toBe(200);
		expect((await ingest(fixture("ticket.answered"), { env: overrides, account: "acme" })).response.status).toBe(202);
		return sent.queue.messages;
	});
	expect(first).toHaveLength(3);
	// Signed ingest: the webhook-id is kept deployment-wide, and a repeat in the same account is the same event.
	await during("ingest", async (overrides) => {
		const secret = newSigningSecret();
		const body = fixture("ticket.archived");
		const headers = { "webhook-id": "msg_recorded", "webhook-timestamp": String(Math.floor(Date.now() / 1000)) };
		const signature = new Webhook(secret).sign(headers["webhook-id"], new Date(Number(headers["webhook-timestamp"]) * 1000), body);
		const signedEnv = { ...overrides, INGEST_SIGNING_SECRET: secret };
		for (const status of [202, 200]) {
			const sent = await ingest(body, { headers: { ...headers, "webhook-signature": signature }, env: signedEnv, account: "acme" });
			expect(sent.response.status).toBe(status);
		}
	});

	/** One wave of automatic attempts at `now`: claimed, sent, and (unless the Worker dies first) recorded. */
	const attempt = async (messages: DeliveryMessage[], now: number, dies = false) => {
		const claimId = newId("clm", now);
		const claimed = await during("claim", async (overrides) => {
			const db = accountDatabase(testEnv(recordingQueues(), overrides), { id: messages[0].accountId, database: acmeDatabase });
			const results = await db.batch(claimWave(db, settings, "isolation", messages, claimId, now));
			return (await waveRows(results[2])).flatMap((row) => (row.target ? [row.target] : []));
		});
		expect(claimed).toHaveLength(messages.length);
		if (dies) return;
		const completed = await Promise.all(claimed.map(async (target) => ({ target, result: await checkAndSend(target, settings) })));
		await during("record", async (overrides) => {
			const db = accountDatabase(testEnv(recordingQueues(), overrides), { id: messages[0].accountId, database: acmeDatabase });
			const { statements: record } = recordAttempts(db, settings, claimId, completed, now, new HealthLedger());
			const [head, ...rest] = record;
			if (head) await db.batch([head, ...rest]);
		});
	};
	const start = Date.now();
	await attempt(first, start);
	// The cron's minute ten minutes on files the first attempts still `new` (their messages lost) as pending, and takes
	// them up as stranded.
	const filed = await during("sweep", (overrides) => sweep(testEnv(recordingQueues(), overrides), start + 11 * MINUTE_MS));
	expect(filed).toEqual({ requeued: 4, failed: 0 });
	const failing = first.filter((message) => message.endpointId === endpointIds["https://fails.example/hook"]);
	await attempt(failing, start + HOUR_MS + MINUTE_MS);
	await attempt(failing, start + 2 * HOUR_MS + MINUTE_MS);
	await attempt(failing, start + 3 * HOUR_MS + MINUTE_MS, true);

	const swept = await during("sweep", (overrides) => sweep(testEnv(recordingQueues(), overrides), start + 4 * HOUR_MS));
	expect(swept).toEqual({ requeued: 4, failed: 1 });

	await during("manual", async (overrides) => {
		const [{ deliveryId }] = failing;
		expect((await api(`/accounts/acme/deliveries/${deliveryId}/retry`, { method: "POST", env: overrides })).status).toBe(200);
		const since = new Date(start - HOUR_MS).toISOString();
		const fails = endpointIds["https://fails.example/hook"];
		const redelivered = await api(`/accounts/acme/endpoints/${fails}/redeliver`, { method: "POST", body: { since }, env: overrides });
		expect(await json(redelivered)).toMatchObject({ redelivered: 1 });
		const ok = endpointIds["https://ok.example/hook"];
		const test = await api(`/accounts/acme/endpoints/${ok}/test`, {
			method: "POST",
			body: { action_type: "ticket.created" },
			env: overrides,
		});
		expect(test.status).toBe(202);
	});
	// The cron's minute, whole: the sweep, auto-disable, retention, the runs' record, and the operator's message about
	// the delivery that failed, stored as an event of the operator's account.
	await during("cron", (overrides) =>
		worker.scheduled({ cron: "* * * * *", scheduledTime: Date.now() } as ScheduledController, testEnv(recordingQueues(), overrides)),
	);

	await during("endpoints", async (overrides) => {
		const gone = endpointIds["https://gone.example/hook"];
		expect((await api(`/accounts/acme/endpoints/${gone}`, { method: "DELETE", env: overrides })).status).toBe(204);
	});
	await during("accounts", async (overrides) => {
		expect((await api("/accounts/globex", { method: "PUT", body: {}, env: overrides })).status).toBe(201);
		const endpoint = await api("/accounts/globex/endpoints", {
			method: "POST",
			body: { url: "https://globex.example/hook" },
			env: overrides,
		});
		expect(endpoint.status).toBe(201);
		expect((await ingest(fixture("ticket.created"), { env: overrides, account: "globex" })).response.status).toBe(202);
		expect((await api("/accounts/globex", { method: "DELETE", env: overrides })).status).toBe(204);
	});

	// The cron's next minute purges the deleted account (once no isolate may still trust it: a second on, by the clock, so
	// that the replay finds it deleted long enough too); a year later retention purges what is finished.
	await sleep(RECENT_ACCOUNT_MS);
	expect(await during("retention", (overrides) => purgeDeletedAccounts(testEnv(recordingQueues(), overrides)))).toBe(1);
	await during("retention", async (overrides) => {
		const later = testEnv(recordingQueues(), overrides);
		const yearLater = start + 400 * DAY_MS;
		// The first event's two finished deliveries (the one redelivered is pending, so the event stays), and the deleted
		// endpoint's two cancelled ones.
		expect(await purgeExpired(later, yearLater)).toEqual({ deliveries: 4, events: 0 });
		await directoryDatabase(later).batch([...purgeSpentLinksAndSessions(later, yearLater), purgeExpiredSignedIds(later, yearLater)]);
	});

	// A move of acme to DB_1, its mover's steps run one after another here, a minute apart (so the switch need not wait
	// for a Retry now), with no alarm of its own: the directory names the move, the mover does nothing on start.
	const accountId = await accountIdOf("acme");
	const idleMovers = { getByName: () => ({ start: async () => {} }) } as unknown as Env["ACCOUNT_MOVER"];
	await during(
		"move",
		async (overrides) => {
			const moving = testEnv(recordingQueues(), { ...overrides, ACCOUNT_MOVER: idleMovers });
			expect((await api("/accounts/acme/move", { method: "POST", body: { database: "DB_1" }, env: moving })).status).toBe(202);
			let progress: MoveProgress | null = firstStep({ accountId, source: acmeDatabase, target: "DB_1" });
			for (let now = Date.now(); progress; now += MINUTE_MS) progress = await runStep(moving, progress, now);
		},
		["DB_1"],
	);

	const params = statements.flatMap((statement) => statement.params);
	// Only what JSON keeps as it was, and bytes in their recorded form.
	const kept = (param: unknown) => param === null || ["string", "number"].includes(typeof param) || Object.hasOwn(Object(param), "base64");
	expect(params.filter((param) => !kept(param))).toEqual([]);
	const lastMigration = env.TEST_MIGRATIONS[env.TEST_MIGRATIONS.length - 1].name.replace(/\.sql$/, "");
	await expect(`${JSON.stringify({ release: version, lastMigration, statements }, null, "\t")}\n`).toMatchFileSnapshot(
		`./fixtures/${version}.json`,
	);
});
