/** The work counters the bench Worker keeps and `npm run bench` reads (plain data, shared by both sides). */

export interface WorkCounts {
	/** Handler invocations: HTTP requests, queue batches or alarms. */
	invocations: number;
	d1Statements: number;
	d1Batches: number;
	d1RowsRead: number;
	d1RowsWritten: number;
	/** Statements run with raw(), for which D1 reports no row counts (Drizzle runs standalone selects this way). */
	d1StatementsWithoutMeta: number;
	queueSends: number;
	queueMessages: number;
	/** RPC calls on Durable Object stubs: each is one billed request. */
	doRequests: number;
	/** Durable Object storage writes (each key put or deleted is one row written in SQLite-backed storage). */
	doRowsWritten: number;
	/** Wall time spent in handlers and, within them, waiting for D1 (ms): where the time goes. */
	handlerMs: number;
	d1Ms: number;
}

export function emptyWork(): WorkCounts {
	return {
		invocations: 0,
		d1Statements: 0,
		d1Batches: 0,
		d1RowsRead: 0,
		d1RowsWritten: 0,
		d1StatementsWithoutMeta: 0,
		queueSends: 0,
		queueMessages: 0,
		doRequests: 0,
		doRowsWritten: 0,
		handlerMs: 0,
		d1Ms: 0,
	};
}

/** ingest, the delivery consumer, retry alarms, the account pacers (their alarms, sends and storage), the durable floor. */
export const WORK_BUCKETS = ["ingest", "delivery", "retry", "pacer", "floor"] as const;
export type WorkBucket = (typeof WORK_BUCKETS)[number];
