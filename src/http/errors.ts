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

/** A thrown value as text for a log line. */
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
