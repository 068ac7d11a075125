/** Load generators and the statistics the benchmark reports. */

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

/** Starts one request every 1000/rate ms whatever the answers (open loop), so no backlog builds up on our side. */
export async function fixedRate(
	count: number,
	ratePerSecond: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const sender = timedSender(send, onDone);
	const started = performance.now();
	const inFlight: Promise<void>[] = [];
	for (let index = 0; index < count; index++) {
		const wait = started + (index * 1000) / ratePerSecond - performance.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		inFlight.push(sender.run(index));
	}
	await Promise.all(inFlight);
	return sender.result(count);
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
