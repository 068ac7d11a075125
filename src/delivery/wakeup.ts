/** How the dispatch loop (dispatch.ts) waits: until a send finishes or passes the slow threshold, a round trip comes back, or the budget ends. */
export class Wakeup {
	private resolve: () => void = () => {};
	private promise = this.reset();

	private reset() {
		return new Promise<void>((resolve) => {
			this.resolve = resolve;
		});
	}

	fire() {
		this.resolve();
	}

	async wait() {
		await this.promise;
		this.promise = this.reset();
	}
}
