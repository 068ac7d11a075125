/**
 * A D1 binding that records every statement run through it, in the order it
 * ran: its SQL, the parameters bound to it, and what it came to (rows
 * returned, rows changed, and what a RETURNING clause gave back). The query
 * plan test explains what it recorded; the upgrade recorder keeps it as the
 * release's statements.
 */
import { env } from "cloudflare:workers";

export interface RecordedStatement {
	/** The binding it ran on, when the recording names it (the upgrade recorder's move runs on two). */
	database?: string;
	sql: string;
	params: unknown[];
	/** Rows the statement returned (unset until it ran, or when run with first()). */
	rows?: number;
	/** Rows it inserted, updated or deleted (unset when run with raw() or first(), which do not say). */
	changes?: number;
	/** For a statement with RETURNING: the rows it returned, each as its values in column order. */
	returned?: unknown[][];
}

const RETURNING = /\breturning\b/i;

/** Fills in what a statement came to, from D1's result or raw rows. */
function noteOutcome(record: RecordedStatement, result: D1Result | unknown[][]) {
	const rows = Array.isArray(result) ? result : result.results.map((row) => Object.values(row as Record<string, unknown>));
	record.rows = rows.length;
	if (!Array.isArray(result)) record.changes = result.meta.changes;
	if (RETURNING.test(record.sql)) record.returned = rows;
}

/** The statements handed to the real binding, by the recording proxy that stands for each. */
const unwrapped = new WeakMap<D1PreparedStatement, { statement: D1PreparedStatement; record: () => RecordedStatement }>();

/** `binding` (the test's DB by default), recording into `recorded`, each statement named as run on `database` if given. */
export function recordingDatabase(recorded: RecordedStatement[], binding: D1Database = env.DB, database?: string): D1Database {
	const start = (sql: string, params: unknown[]) => {
		const record: RecordedStatement = { ...(database && { database }), sql, params };
		recorded.push(record);
		return record;
	};
	const wrap = (statement: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
		const proxy = new Proxy(statement, {
			get(target, prop) {
				switch (prop) {
					case "bind":
						return (...bound: unknown[]) => wrap(target.bind(...bound), sql, bound);
					case "run":
					case "all":
						return async () => {
							const record = start(sql, params);
							const result = await target[prop]();
							noteOutcome(record, result);
							return result;
						};
					case "raw":
						return async (options?: { columnNames?: false }) => {
							const record = start(sql, params);
							const rows = await target.raw(options);
							noteOutcome(record, rows);
							return rows;
						};
					case "first":
						return (column?: string) => {
							start(sql, params);
							return column === undefined ? target.first() : target.first(column);
						};
				}
				const value = Reflect.get(target, prop, target);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		unwrapped.set(proxy, { statement, record: () => start(sql, params) });
		return proxy;
	};
	return new Proxy(binding, {
		get(target, prop) {
			if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql, []);
			if (prop === "batch") {
				return async (statements: D1PreparedStatement[]) => {
					const parts = statements.map((statement) => unwrapped.get(statement));
					const records = parts.map((part) => part?.record());
					const results = await target.batch(statements.map((statement, i) => parts[i]?.statement ?? statement));
					results.forEach((result, i) => {
						const record = records[i];
						if (record) noteOutcome(record, result);
					});
					return results;
				};
			}
			const value = Reflect.get(target, prop, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}
