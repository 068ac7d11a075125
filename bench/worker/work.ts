/**
 * Counts the platform work Hivepost does, from the real calls: D1 statements
 * (each statement inside a batch() counts), rows read and written as D1
 * reports them in `meta`, queue messages and sends, Durable Object requests
 * and the account pacers' storage writes.
 * The bench Worker hands the real handlers an env whose bindings are wrapped
 * by `countedEnv`, so src/ runs unchanged.
 */
import { boundDatabase, databaseNames } from "../../src/db/client";
import { emptyWork, WORK_BUCKETS, type WorkBucket, type WorkCounts } from "./counts";

/** Work per part of the pipeline; module state, shared by the fetch, queue and Durable Object handlers of this isolate. */
export const work = {} as Record<WorkBucket, WorkCounts>;

export function resetWork(): void {
	for (const bucket of WORK_BUCKETS) work[bucket] = emptyWork();
}
resetWork();

/** Calls on the wrapper reach the real object, with `this` bound to it (bindings check their receiver). */
function passThrough<T extends object>(target: T, prop: string | symbol): unknown {
	const value = Reflect.get(target, prop, target);
	return typeof value === "function" ? value.bind(target) : value;
}

/** Awaits `promise`, adding the wait to the bucket's D1 time. */
async function timed<T>(bucket: WorkBucket, promise: Promise<T>): Promise<T> {
	const started = performance.now();
	try {
		return await promise;
	} finally {
		work[bucket].d1Ms += performance.now() - started;
	}
}

/** Runs a handler, counting the invocation and its wall time in `bucket`. */
export async function counted<T>(bucket: WorkBucket, handler: () => Promise<T>): Promise<T> {
	const started = performance.now();
	work[bucket].invocations++;
	try {
		return await handler();
	} finally {
		work[bucket].handlerMs += performance.now() - started;
	}
}

function tally(counts: WorkCounts, result: D1Result): void {
	counts.d1RowsRead += result.meta?.rows_read ?? 0;
	counts.d1RowsWritten += result.meta?.rows_written ?? 0;
}

/** The real statement behind each counted one: batch() only accepts real statements. */
const realStatements = new WeakMap<D1PreparedStatement, D1PreparedStatement>();

function countedStatement(statement: D1PreparedStatement, bucket: WorkBucket): D1PreparedStatement {
	const counted = new Proxy(statement, {
		get(target, prop) {
			if (prop === "bind") return (...values: unknown[]) => countedStatement(target.bind(...values), bucket);
			if (prop === "run" || prop === "all") {
				return async () => {
					const result = await timed(bucket, target[prop]());
					work[bucket].d1Statements++;
					tally(work[bucket], result);
					return result;
				};
			}
			if (prop === "first" || prop === "raw") {
				return (...args: never[]) => {
					work[bucket].d1Statements++;
					work[bucket].d1StatementsWithoutMeta++;
					return timed(bucket, (target[prop] as (...a: never[]) => Promise<unknown>)(...args));
				};
			}
			return passThrough(target, prop);
		},
	});
	realStatements.set(counted, statement);
	return counted;
}

function countedD1(db: D1Database, bucket: WorkBucket): D1Database {
	return new Proxy(db, {
		get(target, prop) {
			if (prop === "prepare") return (query: string) => countedStatement(target.prepare(query), bucket);
			if (prop === "batch") {
				return async (statements: D1PreparedStatement[]) => {
					const results = await timed(bucket, target.batch(statements.map((statement) => realStatements.get(statement) ?? statement)));
					work[bucket].d1Batches++;
					work[bucket].d1Statements += statements.length;
					for (const result of results) tally(work[bucket], result);
					return results;
				};
			}
			return passThrough(target, prop);
		},
	});
}

function countedQueue<Body>(queue: Queue<Body>, bucket: WorkBucket): Queue<Body> {
	return new Proxy(queue, {
		get(target, prop) {
			if (prop === "send") {
				return (body: Body, options?: QueueSendOptions) => {
					work[bucket].queueSends++;
					work[bucket].queueMessages++;
					return target.send(body, options);
				};
			}
			if (prop === "sendBatch") {
				return (messages: MessageSendRequest<Body>[], options?: QueueSendBatchOptions) => {
					work[bucket].queueSends++;
					work[bucket].queueMessages += messages.length;
					return target.sendBatch(messages, options);
				};
			}
			return passThrough(target, prop);
		},
	});
}

function countedStub<Stub extends object>(stub: Stub, bucket: WorkBucket): Stub {
	return new Proxy(stub, {
		get(target, prop) {
			const value = Reflect.get(target, prop, target);
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				work[bucket].doRequests++;
				// A method call on the stub itself: RPC stubs treat `.apply` and `.call` as remote method names.
				return (target as Record<string | symbol, (...a: unknown[]) => unknown>)[prop](...args);
			};
		},
	});
}

function countedNamespace<Namespace extends DurableObjectNamespace>(namespace: Namespace, bucket: WorkBucket): Namespace {
	return new Proxy(namespace, {
		get(target, prop) {
			if (prop === "get" || prop === "getByName") {
				return (...args: unknown[]) => countedStub((target[prop] as (...a: unknown[]) => object)(...args), bucket);
			}
			return passThrough(target, prop);
		},
	});
}

/** Each D1 database `env` binds (DB, DB_1, …), counting into `bucket`. */
export function countedDatabases(env: Env, bucket: WorkBucket): Partial<Env> {
	return Object.fromEntries(databaseNames(env).map((name) => [name, countedD1(boundDatabase(env, name), bucket)]));
}

/** `env` with its D1 databases, the three delivery queues and both Durable Object namespaces counting into `bucket`. */
export function countedEnv<E extends Env>(env: E, bucket: WorkBucket): E {
	return {
		...env,
		...countedDatabases(env, bucket),
		DELIVERY_QUEUE: countedQueue(env.DELIVERY_QUEUE, bucket),
		BULK_QUEUE: countedQueue(env.BULK_QUEUE, bucket),
		ISOLATION_QUEUE: countedQueue(env.ISOLATION_QUEUE, bucket),
		RETRY_SCHEDULER: countedNamespace(env.RETRY_SCHEDULER, bucket),
		ACCOUNT_PACER: countedNamespace(env.ACCOUNT_PACER, bucket),
	};
}

/** Keys a storage put or delete call writes: one row each in SQLite-backed storage. */
function keysWritten(args: unknown[]): number {
	const [first] = args;
	if (Array.isArray(first)) return first.length;
	return typeof first === "object" && first !== null ? Object.keys(first).length : 1;
}

/** A Durable Object's state whose storage puts and deletes count as rows written into `bucket`. */
export function countedState(state: DurableObjectState, bucket: WorkBucket): DurableObjectState {
	const storage = new Proxy(state.storage, {
		get(target, prop) {
			if (prop === "put" || prop === "delete") {
				return (...args: unknown[]) => {
					work[bucket].doRowsWritten += keysWritten(args);
					return (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args);
				};
			}
			return passThrough(target, prop);
		},
	});
	return new Proxy(state, { get: (target, prop) => (prop === "storage" ? storage : passThrough(target, prop)) });
}
