/** Waiting by polling, always bounded: `waitUntil` says whether it happened in time, `waitFor` throws if it did not. */

/** Polls `check` every `everyMs` until it returns true (resolves true), or until `timeoutMs` has passed (resolves false). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
	return false;
}

/** Polls `check` every `everyMs` until it returns true, or throws once `timeoutMs` has passed. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
	if (!(await waitUntil(check, timeoutMs, everyMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
