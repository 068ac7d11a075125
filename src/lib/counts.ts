/** Counts kept in a Map by key, absent meaning 0. */
export function count(counts: Map<string, number>, key: string): number {
	return counts.get(key) ?? 0;
}

export function add(counts: Map<string, number>, key: string, delta: number): void {
	counts.set(key, count(counts, key) + delta);
}
