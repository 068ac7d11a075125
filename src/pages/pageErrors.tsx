/** What a page shows when something goes wrong: the error's message and status, inside the usual frame, and a way back. */
import type { Context } from "hono";
import { INTERNAL_ERROR_MESSAGE, knownError } from "../http/errors";
import { logUnhandled } from "../http/requestId";
import type { PageEnv } from "./context";
import { Layout } from "./views/layout";

/** The page's heading: what kind of refusal it is, the message above saying what to fix. */
function headingOf(status: number, method: string): string {
	if (status === 404) return "Not found";
	if (status === 403) return "Not allowed";
	if (status < 500) return method === "GET" ? "Cannot show this page" : "Cannot do that";
	return "Something went wrong";
}

export function renderPageError(error: Error, c: Context<PageEnv>) {
	const known = knownError(error);
	if (!known) logUnhandled(c.req.raw, c.get("requestId"), error);
	const base = c.get("base");
	const viewer = c.get("viewer");
	const message = known?.message ?? `${INTERNAL_ERROR_MESSAGE} (request id ${c.get("requestId")})`;
	// A 429's message says when to try again; the header says it to the browser too.
	if (known?.retryAfterSeconds !== undefined) c.header("Retry-After", String(known.retryAfterSeconds));
	return c.html(
		// The header names the account the page was for (once known), as on every page.
		<Layout chrome={{ title: "Error", base, viewer, account: c.get("account"), error: message }}>
			<h1>{headingOf(known?.status ?? 500, c.req.method)}</h1>
			<p>
				<a href={base ?? (viewer?.kind === "portal" ? "/portal" : "/admin")}>← Back</a>
			</p>
		</Layout>,
		known?.status ?? 500,
	);
}
