/**
 * Every response carries `X-Request-Id`: Cloudflare's `cf-ray` when present
 * (so our log lines and Cloudflare's own logs share one id), else a fresh
 * UUID. Log lines and 500 bodies carry the same id.
 */
import { createMiddleware } from "hono/factory";
import { errorMessage, logError } from "../lib/log";

export interface RequestIdVariables {
	requestId: string;
}

export const requestId = createMiddleware<{ Variables: RequestIdVariables }>(async (c, next) => {
	const id = c.req.header("cf-ray") || crypto.randomUUID();
	c.set("requestId", id);
	c.header("X-Request-Id", id);
	await next();
	if (!c.res.headers.has("X-Request-Id")) c.res.headers.set("X-Request-Id", id);
});

/**
 * Logs an error no route handled: where, the request id, and the stack's
 * frames (not its message's values). Never the query string: it may carry a
 * one-time token.
 */
export function logUnhandled(request: Request, id: string | undefined, error: Error): void {
	const frames = error.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")) ?? [];
	logError("unhandled_error", {
		method: request.method,
		path: new URL(request.url).pathname,
		request_id: id,
		error: `${error.name}: ${errorMessage(error)}`,
		stack: frames.join("\n"),
	});
}
