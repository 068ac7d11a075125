/**
 * Structured log lines: one JSON object per line, `{"event": "…", …}`, so
 * Workers Logs can filter and query them by field. Callers pass ids, counts
 * and short reasons only: never secrets, tokens, header values or payloads.
 */
type Field = string | number | boolean | null | undefined;

export function logEvent(event: string, fields: Record<string, Field> = {}): void {
	console.log(JSON.stringify({ event, ...fields }));
}

export function logError(event: string, fields: Record<string, Field> = {}): void {
	console.error(JSON.stringify({ event, level: "error", ...fields }));
}
