/** Durations in milliseconds, and the two ways times leave Hivepost: ISO 8601 in the API, one UTC format for people. */
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

/** A time as people read it, the one format of every page (and of times written into the audit record): "2026-11-28 09:30:00 UTC". */
export function utcText(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
