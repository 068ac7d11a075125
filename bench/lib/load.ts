/** Load generators and the statistics the benchmark reports (rates, percentiles, latency summaries). */

export interface LoadResult {
	requests: number;
	elapsedMs: number;
	/** Per request, ms. */
	latencies: number[];
	errors: number;
}

/** Wraps `send` to time each request and count the ones that threw; `result` sums it up. */
function timedSender(send: (index: number) => Promise<void>, onDone: () => void) {
	const latencies: number[] = [];
	let errors = 0;
	const started = performance.now();
	return {
		async run(index: number): Promise<void> {
			const t0 = performance.now();
			try {
				await send(index);
			} catch {
				errors++;
			}
			latencies.push(performance.now() - t0);
			onDone();
		},
		result: (requests: number): LoadResult => ({ requests, elapsedMs: performance.now() - started, latencies, errors }),
	};
}

/** Sends `count` requests with `concurrency` in flight at all times (closed loop); `send` throws on an unexpected answer. */
export async function closedLoop(
	count: number,
	concurrency: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const sender = timedSender(send, onDone);
	let next = 0;
	const lane = async () => {
		while (next < count) await sender.run(next++);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
	return sender.result(count);
}

/** Sends requests with `concurrency` in flight at all times (closed loop), starting new ones for `durationMs`; then waits for those in flight. */
export async function closedLoopFor(
	durationMs: number,
	concurrency: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const sender = timedSender(send, onDone);
	const until = performance.now() + durationMs;
	let next = 0;
	const lane = async () => {
		while (performance.now() < until) await sender.run(next++);
	};
	await Promise.all(Array.from({ length: concurrency }, lane));
	return sender.result(next);
}

/** Starts one request every 1000/rate ms whatever the answers (open loop), so no backlog builds up on our side. */
export function fixedRate(
	count: number,
	ratePerSecond: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	return fixedRateWhile((index) => index < count, ratePerSecond, send, onDone);
}

/**
 * Open loop as `fixedRate`, for as long as `goOn(index)` says so when request `index` is due; then waits for
 * those in flight.
 */
export async function fixedRateWhile(
	goOn: (index: number) => boolean,
	ratePerSecond: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const sender = timedSender(send, onDone);
	const started = performance.now();
	const inFlight: Promise<void>[] = [];
	let index = 0;
	// Asked before the wait (so `fixedRate` ends on its last request) and again when the request is due.
	for (; goOn(index); index++) {
		const wait = started + (index * 1000) / ratePerSecond - performance.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		if (!goOn(index)) break;
		inFlight.push(sender.run(index));
	}
	await Promise.all(inFlight);
	return sender.result(index);
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Rates and latencies summed up over blocks of one route: requests answered per second (× `unitsPerRequest`), p50, p99. */
export interface Summary {
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	requests: number;
	errors: number;
}

export function summarize(results: LoadResult[], unitsPerRequest = 1): Summary {
	const requests = results.reduce((sum, r) => sum + r.requests, 0);
	const errors = results.reduce((sum, r) => sum + r.errors, 0);
	const seconds = results.reduce((sum, r) => sum + r.elapsedMs, 0) / 1000;
	const latencies = results.flatMap((r) => r.latencies);
	return {
		perSecond: ((requests - errors) * unitsPerRequest) / seconds,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		requests,
		errors,
	};
}

/** Latencies of deliveries, ms: Infinity for one that had not arrived when the wait ended (null in the JSON). */
export function latencySummary(latencies: number[]) {
	return {
		events: latencies.length,
		arrived: latencies.filter(Number.isFinite).length,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
	};
}
