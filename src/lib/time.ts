/** Durations in milliseconds, and the one way times leave Hivepost (ISO 8601, UTC). */
const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A stored time (Unix ms) as the API shows it; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
	return ms === null ? null : new Date(ms).toISOString();
}
