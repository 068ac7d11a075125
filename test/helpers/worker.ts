/// <reference types="vite/client" />
/**
 * Shared test helpers: requests with credentials, recording queues (and the
 * account pacers, running for real, sending to them), fixtures, a stubbed
 * destination, the real consumer, cron, RetryScheduler and AccountPacer
 * driven by hand, and direct reads of delivery rows.
 */
import {
	createExecutionContext,
	createMessageBatch,
	createScheduledController,
	getQueueResult,
	listDurableObjectIds,
	runInDurableObject,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src";
import { app } from "../../src/app";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { RECENT_ACCOUNT_MS } from "../../src/db/directory";
import type { AccountPacer } from "../../src/delivery/accountPacer";
import { type DeliveryMessage, LANE_QUEUE_NAMES, type Lane } from "../../src/delivery/queue";
import { retrySchedulerName } from "../../src/delivery/retryAlarm";
import { isEventType } from "../../src/eventTypes";
import { readBody } from "../../src/lib/storedBody";
import { samplePath } from "../../src/samples";

// The sample files' exact text, bundled into the tests by Vite (import.meta.glob).
const SAMPLE_FILES = import.meta.glob<string>("../../static/samples/supportbee/*.json", { query: "?raw", import: "default", eager: true });

/** The exact text of a SupportBee sample event, e.g. fixture("ticket.created"). */
export function fixture(actionType: string): string {
	if (!isEventType(actionType)) throw new Error(`no fixture for ${actionType}`);
	return SAMPLE_FILES[`../../static${samplePath(actionType)}`];
}

/** The three delivery queues, recording what was sent (and on which lane) instead of delivering it. */
export function recordingQueues() {
	const batches: MessageSendRequest<DeliveryMessage>[][] = [];
	const sent: { lane: Lane; message: DeliveryMessage; delaySeconds: number }[] = [];
	const recorder = (lane: Lane) => ({
		async send(body: DeliveryMessage, options?: QueueSendOptions) {
			await this.sendBatch([{ body, ...options }]);
		},
		async sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>) {
			const list = [...messages];
			batches.push(list);
			for (const message of list) sent.push({ lane, message: message.body, delaySeconds: message.delaySeconds ?? 0 });
		},
	});
	return {
		batches,
		sent,
		main: recorder("main"),
		bulk: recorder("bulk"),
		isolation: recorder("isolation"),
		/** Every message sent, on either lane. */
		get messages() {
			return sent.map((entry) => entry.message);
		},
		/** The messages sent to one lane. */
		on(lane: Lane) {
			return sent.filter((entry) => entry.lane === lane).map((entry) => entry.message);
		},
		/** The bindings to put in an env. */
		get bindings() {
			return {
				DELIVERY_QUEUE: this.main as unknown as Queue,
				BULK_QUEUE: this.bulk as unknown as Queue,
				ISOLATION_QUEUE: this.isolation as unknown as Queue,
			};
		},
	};
}

export type RecordingQueues = ReturnType<typeof recordingQueues>;

/** The test env with recording queues, account pacers that send to them, and any other bindings overridden. */
export function testEnv(queues: RecordingQueues, overrides: Partial<Env> = {}): Env {
	const withQueues: Env = { ...env, ...queues.bindings, ...overrides };
	return { ...withQueues, ACCOUNT_PACER: overrides.ACCOUNT_PACER ?? pacersWith(withQueues) };
}

/** Instances whose env a helper has swapped, with their own env and how many helpers still run in them. */
const swappedEnvs = new WeakMap<object, { own: Env; depth: number }>();

/** Runs `work` with `instance` (a Durable Object) seeing `testEnv` as its env, then gives it back its own (also when calls overlap). */
async function withEnv<T>(instance: object, testEnv: Env, work: () => Promise<T>): Promise<T> {
	const object = instance as { env: Env };
	const entry = swappedEnvs.get(instance) ?? { own: object.env, depth: 0 };
	entry.depth++;
	swappedEnvs.set(instance, entry);
	object.env = testEnv;
	try {
		return await work();
	} finally {
		if (--entry.depth === 0) {
			object.env = entry.own;
			swappedEnvs.delete(instance);
		}
	}
}

/**
 * The account pacers, each call running in the real Durable Object with
 * `pacerEnv` as its env (so its sends go to the test's recording queues), as
 * the Worker reaches them: `getByName(accountId).method(…)`.
 */
export function pacersWith(pacerEnv: Env): DurableObjectNamespace<AccountPacer> {
	return {
		getByName(name: string) {
			const stub = env.ACCOUNT_PACER.getByName(name);
			return new Proxy(
				{},
				{
					get: (_target, method) =>
						method === "then"
							? undefined
							: (...args: unknown[]) =>
									runInDurableObject(stub, (instance) =>
										withEnv(instance, pacerEnv, () =>
											(instance as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[String(method)](...args),
										),
									),
				},
			);
		},
	} as unknown as DurableObjectNamespace<AccountPacer>;
}

/** Bindings and settings a call overrides in the test env (recording queues by default). */
export interface EnvOption {
	env?: Partial<Env>;
}

/** Calls the Worker's HTTP app with the test env; resolves once the work it left for after the response (waitUntil) is done too. */
export async function request(path: string, init: RequestInit = {}, { env: overrides = {} }: EnvOption = {}) {
	const queue = recordingQueues();
	const ctx = createExecutionContext();
	const response = await app.request(path, init, testEnv(queue, overrides), ctx);
	await waitOnExecutionContext(ctx);
	return { response, queue };
}

export const ingestHeaders = { authorization: `Bearer ${env.INGEST_TOKEN}`, "content-type": "application/json" };
export const operatorHeaders = { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" };

/** Sends an event to ingest: `POST /events`, or with `account` its per-account twin; `headers` add to (or replace) the ingest token and content type. */
export async function ingest(
	body: string,
	{ headers = {}, env, account }: EnvOption & { headers?: Record<string, string>; account?: string } = {},
) {
	const path = account === undefined ? "/events" : `/accounts/${account}/events`;
	return request(path, { method: "POST", body, headers: { ...ingestHeaders, ...headers } }, { env });
}

/** Registers an endpoint through the operator's API (in the default account, or in `account`). */
export async function createEndpoint(
	url: string,
	{ events, account }: { events?: string[]; account?: string } = {},
): Promise<{ id: string; secret: string; url: string }> {
	const apiBase = account === undefined ? "/api" : `/api/accounts/${account}`;
	const { response } = await request(`${apiBase}/endpoints`, {
		method: "POST",
		headers: operatorHeaders,
		body: JSON.stringify({ url, events }),
	});
	if (response.status !== 201) throw new Error(`creating ${url} failed: ${response.status} ${await response.text()}`);
	return response.json();
}

/** Creates (or renames) an account through the operator's API; `database` is the binding it was placed on. */
export async function createAccount(uid: string, name?: string) {
	const { response } = await request(`/api/accounts/${uid}`, {
		method: "PUT",
		headers: operatorHeaders,
		body: JSON.stringify(name === undefined ? {} : { name }),
	});
	if (response.status !== 201 && response.status !== 200) throw new Error(`creating account ${uid} failed: ${response.status}`);
	return response.json() as Promise<{ uid: string; name: string; created_at: string; database: TestDatabase }>;
}

/** Creates account `uid` with `count` endpoints on hosts named after it (`https://<uid>-<i>.example/hook`); returns their ids. */
export async function accountWithEndpoints(uid: string, count: number): Promise<string[]> {
	await createAccount(uid);
	const ids = [];
	for (let i = 0; i < count; i++) ids.push((await createEndpoint(`https://${uid}-${i}.example/hook`, { account: uid })).id);
	return ids;
}

/** An account's internal id, by its uid. */
export async function accountIdOf(uid: string): Promise<string> {
	const [row] = await rows<{ id: string }>("SELECT id FROM accounts WHERE uid = ?", uid);
	if (!row) throw new Error(`no account ${uid}`);
	return row.id;
}

/**
 * `count` events of the account, each to 10 endpoints, received `ago` ms before now: its recent past as the fair rate
 * counts it, written straight into its database so that it does not depend on how fast this machine ingests.
 */
export async function pastEvents(accountId: string, count: number, ago = 0) {
	const at = Date.now() - ago;
	const [account] = await rows<{ database: TestDatabase | null }>("SELECT database FROM accounts WHERE id = ?", accountId);
	await databaseBinding(account?.database ?? "DB")
		.prepare(
			`INSERT INTO events (account_id, id, action_type, body, received_at, body_hash, delivery_count)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT ?, 'evt_' || printf('%012x', ?) || printf('%016x', i), 'ticket.created', '{}', ?, 'hash', 10 FROM n`,
		)
		.bind(count, accountId, at, at)
		.run();
}

/** The full message for a delivery id (account and endpoint read from D1, in whichever database holds it). */
export async function messageFor(deliveryId: string): Promise<DeliveryMessage> {
	const [row] = await rowsEverywhere<{ account_id: string; endpoint_id: string }>(
		"SELECT account_id, endpoint_id FROM deliveries WHERE id = ?",
		deliveryId,
	);
	if (!row) throw new Error(`no delivery ${deliveryId}`);
	return { accountId: row.account_id, deliveryId, endpointId: row.endpoint_id };
}

/**
 * Runs the real queue handler on messages for these deliveries (ids or whole
 * messages) as one batch of `lane` (each delivered for the `attempts`-th
 * time, 1 unless given, and enqueued at `enqueuedAt`, now unless given), and
 * returns which were acked or retried, with the queues it sent to.
 */
export async function runConsumer(
	deliveries: (string | DeliveryMessage)[],
	{
		lane = "main",
		env: overrides = {},
		attempts = () => 1,
		enqueuedAt = new Date(),
	}: EnvOption & { lane?: Lane; attempts?: (message: DeliveryMessage) => number; enqueuedAt?: Date } = {},
) {
	const bodies = await Promise.all(deliveries.map((entry) => (typeof entry === "string" ? messageFor(entry) : entry)));
	const batch = createMessageBatch<DeliveryMessage>(
		LANE_QUEUE_NAMES[lane],
		bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: enqueuedAt, attempts: attempts(body), body })),
	);
	const ctx = createExecutionContext();
	const queue = recordingQueues();
	await worker.queue(batch, testEnv(queue, overrides));
	return { ...(await getQueueResult(batch, ctx)), queue };
}

/** Runs the real Cron Trigger handler (sweep and housekeeping) once, with recording queues; returns them. */
export async function runScheduled() {
	const queue = recordingQueues();
	await worker.scheduled(createScheduledController({ cron: "* * * * *" }), testEnv(queue));
	return queue;
}

export interface CapturedRequest {
	url: string;
	headers: Headers;
	body: string;
}

/**
 * Replaces global fetch with a destination that answers with `respond` (called
 * per request) and records every request made to it.
 */
export function stubDestination(
	respond: (request: CapturedRequest, index: number, signal: AbortSignal | null) => Response | Promise<Response>,
) {
	const requests: CapturedRequest[] = [];
	const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const req = new Request(input, init);
		const captured = { url: req.url, headers: req.headers, body: await req.text() };
		requests.push(captured);
		return respond(captured, requests.length - 1, init?.signal ?? null);
	});
	return { requests, spy };
}

/** The databases the tests bind (vitest.config.ts): DB (the directory, and the default account's data) and two more. */
export const TEST_DATABASES = ["DB", "DB_1", "DB_2"] as const;
export type TestDatabase = (typeof TEST_DATABASES)[number];

export function databaseBinding(name: TestDatabase): D1Database {
	return env[name];
}

/** The rows `sql` selects in the database bound as `database`. */
export async function rowsIn<T = Record<string, unknown>>(database: TestDatabase, sql: string, ...params: unknown[]): Promise<T[]> {
	const result = await databaseBinding(database)
		.prepare(sql)
		.bind(...params)
		.all<T>();
	return result.results;
}

/** The rows `sql` selects in DB: the directory, and the default account's data. */
export function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
	return rowsIn<T>("DB", sql, ...params);
}

/** The rows `sql` selects in each database, DB's first: for rows of any account (not for aggregates, which each database answers apart). */
export async function rowsEverywhere<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
	return (await Promise.all(TEST_DATABASES.map((database) => rowsIn<T>(database, sql, ...params)))).flat();
}

/** Runs `sql` (a change) in each database: where the rows it names are, it changes them. */
export async function runEverywhere(sql: string, ...params: unknown[]): Promise<void> {
	for (const database of TEST_DATABASES) {
		await databaseBinding(database)
			.prepare(sql)
			.bind(...params)
			.run();
	}
}

/** Every row of each of `tables` (account data: endpoints, events, deliveries, attempts, audit_log by default), in every database, to compare before and after. */
export async function tableRows(tables = ["endpoints", "events", "deliveries", "attempts", "audit_log"]) {
	return Object.fromEntries(
		await Promise.all(tables.map(async (table) => [table, await rowsEverywhere(`SELECT * FROM ${table}`)] as const)),
	);
}

export interface DeliveryRow {
	status: string;
	attempt_count: number;
	next_attempt_at: number | null;
	claim_id: string | null;
	lease_until: number | null;
}

/** A delivery's state columns, read straight from D1 (whichever database holds it). */
export async function deliveryRow(id: string): Promise<DeliveryRow> {
	const [row] = await rowsEverywhere<DeliveryRow>(
		"SELECT status, attempt_count, next_attempt_at, claim_id, lease_until FROM deliveries WHERE id = ?",
		id,
	);
	return row;
}

/** Lets the retry interval pass for a delivery, as the clock would. */
export async function makeDue(id: string) {
	await runEverywhere("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", Date.now() - 1, id);
}

/** Names the account a delivery belongs to, by its internal id (the default account's unless given). */
export interface AccountIdOption {
	accountId?: string;
}

/** A delivery's RetryScheduler. */
export function schedulerOf(deliveryId: string, { accountId = DEFAULT_ACCOUNT_ID }: AccountIdOption = {}) {
	return env.RETRY_SCHEDULER.getByName(retrySchedulerName({ accountId, deliveryId }));
}

export async function alarmTime(deliveryId: string, options: AccountIdOption = {}) {
	return runInDurableObject(schedulerOf(deliveryId, options), (_instance, state) => state.storage.getAlarm());
}

/**
 * Fires a delivery's retry alarm the way the platform would (if one is armed:
 * it is removed, then alarm() runs), with recording queues (and any other
 * bindings overridden) in the object's env; returns whether an alarm ran and
 * what it enqueued.
 */
export async function runRetryAlarm(deliveryId: string, { accountId, env: overrides = {} }: AccountIdOption & EnvOption = {}) {
	const queue = recordingQueues();
	const ran = await runInDurableObject(schedulerOf(deliveryId, { accountId }), async (instance, state) => {
		if ((await state.storage.getAlarm()) === null) return false;
		await state.storage.deleteAlarm();
		await withEnv(instance, testEnv(queue, overrides), () => (instance as unknown as { alarm(): Promise<void> }).alarm());
		return true;
	});
	return { ran, queue };
}

/** An account's pacer, as the Worker's code reaches it (its sends recorded in `queue`). */
export function pacerOfAccount(accountId: string, queue: RecordingQueues, overrides: Partial<Env> = {}) {
	return testEnv(queue, overrides).ACCOUNT_PACER.getByName(accountId);
}

/** What an account's pacer holds (its state, parked chunks, manual actions), read from its storage. */
export async function pacerStorage(accountId: string) {
	return runInDurableObject(env.ACCOUNT_PACER.getByName(accountId), async (_instance, state) => ({
		alarm: await state.storage.getAlarm(),
		entries: Object.fromEntries(await state.storage.list()),
	}));
}

/** Fires an account pacer's alarm as the platform would (removed, then run), with recording queues; returns whether one was armed. */
export async function runPacerAlarm(accountId: string, { env: overrides = {} }: EnvOption = {}) {
	const queue = recordingQueues();
	const ran = await runInDurableObject(env.ACCOUNT_PACER.getByName(accountId), async (instance, state) => {
		if ((await state.storage.getAlarm()) === null) return false;
		await state.storage.deleteAlarm();
		await withEnv(instance, testEnv(queue, overrides), () => (instance as unknown as { alarm(): Promise<void> }).alarm());
		return true;
	});
	return { ran, queue };
}

/** Deletes every RetryScheduler's, AccountPacer's and AccountMover's alarm and storage, so the next test starts clean. */
export async function clearDurableObjects() {
	for (const namespace of [env.RETRY_SCHEDULER, env.ACCOUNT_PACER, env.ACCOUNT_MOVER] as DurableObjectNamespace[]) {
		for (const id of await listDurableObjectIds(namespace)) {
			await runInDurableObject(namespace.get(id), async (_instance, state) => {
				await state.storage.deleteAlarm();
				await state.storage.deleteAll();
			});
		}
	}
}

/**
 * The D1 binding, awaiting `before(n)` ahead of its n-th batch (counted from
 * 0): another request's write landing first, a slow round trip, or (when it
 * rejects) a failed one, which then never reaches D1.
 */
export function dbBeforeBatch(before: (index: number) => Promise<unknown> | undefined): D1Database {
	let index = 0;
	return new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "batch") {
				return async (statements: D1PreparedStatement[]) => {
					await before(index++);
					return target.batch(statements);
				};
			}
			const value = Reflect.get(target, prop, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/**
 * The D1 binding, running `concurrently` just before its next batch: another
 * request's write landing between this request's read and its write.
 */
export function dbWithConcurrentWrite(concurrently: () => Promise<unknown>): D1Database {
	return dbBeforeBatch((index) => (index === 0 ? concurrently() : undefined));
}

/** Moves deleted accounts' deletion back past RECENT_ACCOUNT_MS, as if ingest elsewhere had stopped trusting them: the purge takes them now. */
export async function pastRecentAccounts(): Promise<void> {
	await env.DB.prepare("UPDATE accounts SET deleted_at = deleted_at - ? WHERE deleted_at IS NOT NULL").bind(RECENT_ACCOUNT_MS).run();
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A destination that never answers: the request hangs until Hivepost's timeout aborts it. */
export function hangingResponse(signal: AbortSignal | null): Promise<Response> {
	return new Promise((_resolve, reject) => {
		signal?.addEventListener("abort", () => reject(signal.reason));
	});
}

/** The operator's operational messages as stored (events of its account, bodies read back), oldest first; of `type` only, when given. */
export async function operatorMessages(type?: string) {
	const found = await rows<{ body: string; body_deflated: number[] | null }>(
		`SELECT body, body_deflated FROM events WHERE account_id = 'acc_operator'${type ? " AND action_type = ?" : ""} ORDER BY id`,
		...(type ? [type] : []),
	);
	return Promise.all(found.map(async (row) => JSON.parse(await readBody({ body: row.body, bodyDeflated: row.body_deflated }))));
}
