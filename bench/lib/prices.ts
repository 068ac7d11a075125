/**
 * Cloudflare list prices (USD, Workers Paid plan, usage beyond the included
 * amounts), as known to the author on 2026-11-27, from
 *   https://developers.cloudflare.com/workers/platform/pricing/
 *   https://developers.cloudflare.com/d1/platform/pricing/
 *   https://developers.cloudflare.com/queues/platform/pricing/
 *   https://developers.cloudflare.com/durable-objects/platform/pricing/
 * Check those pages before relying on the figures; included allowances and the
 * $5 monthly minimum are left out, so these are marginal costs.
 */
export const PRICES = {
	date: "2026-11-27",
	source: "developers.cloudflare.com/{workers,d1,queues,durable-objects}/platform/pricing/ (list prices as known to the author)",
	/** Per million Worker invocations (HTTP requests; queue consumer batches counted here too, to be safe). */
	workersRequestsPerMillion: 0.3,
	/** Per million D1 rows read. */
	d1RowsReadPerMillion: 0.001,
	/** Per million D1 rows written (D1 counts index updates as rows written too). */
	d1RowsWrittenPerMillion: 1.0,
	/** Per million queue operations; a message of up to 64 KB costs 3 (write, read, delete). */
	queueOperationsPerMillion: 0.4,
	queueOperationsPerMessage: 3,
	/** Per million Durable Object requests (each RPC call and each alarm). */
	doRequestsPerMillion: 0.15,
	/** Per million rows written to SQLite-backed Durable Object storage (each key put or deleted), priced as D1's. */
	doRowsWrittenPerMillion: 1.0,
} as const;

/** Platform work for one ingested event, summed over ingest, delivery and retries. */
export interface WorkPerEvent {
	workerInvocations: number;
	d1RowsRead: number;
	d1RowsWritten: number;
	queueMessages: number;
	doRequests: number;
	doRowsWritten: number;
}

export interface CostPerMillionEvents {
	workersRequests: number;
	d1RowsRead: number;
	d1RowsWritten: number;
	queueOperations: number;
	doRequests: number;
	doRowsWritten: number;
	total: number;
}

/** USD per million events; Worker CPU time and Durable Object duration are not included (not measurable locally). */
export function costPerMillionEvents(perEvent: WorkPerEvent): CostPerMillionEvents {
	const cost = {
		workersRequests: perEvent.workerInvocations * PRICES.workersRequestsPerMillion,
		d1RowsRead: perEvent.d1RowsRead * PRICES.d1RowsReadPerMillion,
		d1RowsWritten: perEvent.d1RowsWritten * PRICES.d1RowsWrittenPerMillion,
		queueOperations: perEvent.queueMessages * PRICES.queueOperationsPerMessage * PRICES.queueOperationsPerMillion,
		doRequests: perEvent.doRequests * PRICES.doRequestsPerMillion,
		doRowsWritten: perEvent.doRowsWritten * PRICES.doRowsWrittenPerMillion,
	};
	return { ...cost, total: Object.values(cost).reduce((sum, value) => sum + value, 0) };
}
