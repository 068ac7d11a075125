/**
 * The one error shape every route answers with:
 * `{"error": "<what is wrong and how to fix it>", "fields"?: {"<name>": "<problem>"}}`.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class HttpError extends Error {
	constructor(
		readonly status: ContentfulStatusCode,
		message: string,
		readonly fields?: Record<string, string>,
	) {
		super(message);
	}
}

export function errorResponse(c: Context, error: HttpError): Response {
	const body: { error: string; fields?: Record<string, string> } = { error: error.message };
	if (error.fields) body.fields = error.fields;
	return c.json(body, error.status);
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

/** Logs an error no route handled: what failed and where, with the stack's frames (not its message). */
export function logUnhandled(c: Context, error: Error): void {
	const frames = error.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")) ?? [];
	console.error(
		`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}: ${error.name}: ${errorMessage(error)}\n${frames.join("\n")}`,
	);
}
