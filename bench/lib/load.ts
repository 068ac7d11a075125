/** Load generators and the statistics the benchmark reports. */

export interface LoadResult {
	requests: number;
	elapsedMs: number;
	/** Per request, ms. */
	latencies: number[];
	errors: number;
}

/** Sends `count` requests with `concurrency` in flight at all times (closed loop); `send` throws on an unexpected answer. */
export async function closedLoop(
	count: number,
	concurrency: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const latencies: number[] = [];
	let errors = 0;
	let next = 0;
	const started = performance.now();
	const lane = async () => {
		while (next < count) {
			const index = next++;
			const t0 = performance.now();
			try {
				await send(index);
			} catch {
				errors++;
			}
			latencies.push(performance.now() - t0);
			onDone();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
	return { requests: count, elapsedMs: performance.now() - started, latencies, errors };
}

/** Starts one request every 1000/rate ms whatever the answers (open loop), so no backlog builds up on our side. */
export async function fixedRate(
	count: number,
	ratePerSecond: number,
	send: (index: number) => Promise<void>,
	onDone: () => void = () => {},
): Promise<LoadResult> {
	const latencies: number[] = [];
	let errors = 0;
	const started = performance.now();
	const inFlight: Promise<void>[] = [];
	for (let index = 0; index < count; index++) {
		const due = started + (index * 1000) / ratePerSecond;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		const t0 = performance.now();
		inFlight.push(
			send(index)
				.catch(() => {
					errors++;
				})
				.finally(() => {
					latencies.push(performance.now() - t0);
					onDone();
				}),
		);
	}
	await Promise.all(inFlight);
	return { requests: count, elapsedMs: performance.now() - started, latencies, errors };
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
