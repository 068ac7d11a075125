/**
 * Structured log lines: one JSON object per line, `{"event": "…", …}`, so
 * Workers Logs can filter and query them by field. Callers pass ids, counts
 * and short reasons only: never secrets, tokens, header values or payloads
 * (errorMessage makes such a reason of a thrown value).
 */
type Field = string | number | boolean | null | undefined;

export function logEvent(event: string, fields: Record<string, Field> = {}): void {
	console.log(JSON.stringify({ event, ...fields }));
}

export function logError(event: string, fields: Record<string, Field> = {}): void {
	console.error(JSON.stringify({ event, level: "error", ...fields }));
}

/**
 * A thrown value as text for a log line. A failed query's message carries the
 * statement's bound parameters (signing secrets, header values): log only what
 * went wrong, never the values.
 */
export function errorMessage(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const firstLine = error.message.split("\n")[0];
	return error.cause instanceof Error ? `${firstLine} (${error.cause.message})` : firstLine;
}
