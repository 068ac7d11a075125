/** Polls `check` every `everyMs` until it returns true, or throws once `timeoutMs` has passed. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
