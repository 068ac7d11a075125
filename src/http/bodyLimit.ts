/**
 * How large a request body may be. Every route that takes a body names its
 * limit; past it the answer is 413 `payload_too_large` before anything reads
 * the body. A body that declares its length is judged by it; one that does
 * not (chunked) is counted as it arrives and refused as soon as it passes the
 * limit, never held whole.
 */

import { createMiddleware } from "hono/factory";
import { HttpError } from "./errors";

/** A limit of `maxBytes`; `what` names the body in the refusal. */
export function limitBodyTo(maxBytes: number, what = "The request body") {
	const tooLarge = () =>
		new HttpError(
			"payload_too_large",
			`${what} is larger than ${maxBytes / 1024} KB (${maxBytes} bytes), the most this route accepts. Send a smaller body.`,
		);
	return createMiddleware(async (c, next) => {
		const request = c.req.raw;
		if (!request.body) return next();
		const declared = request.headers.get("content-length");
		if (declared !== null && !request.headers.has("transfer-encoding")) {
			if (Number(declared) > maxBytes) throw tooLarge();
			return next();
		}
		// Counted as it arrives; past the limit the rest is never read.
		const chunks: Uint8Array[] = [];
		let size = 0;
		for await (const chunk of request.body) {
			size += chunk.byteLength;
			if (size > maxBytes) throw tooLarge();
			chunks.push(chunk);
		}
		c.req.raw = new Request(request, { body: new Blob(chunks) });
		return next();
	});
}

/** The routes' limits, by what their bodies carry. */
export const MAX_BODY_BYTES = {
	/** Update App: the whole list of an account's URLs. */
	updateApp: 256 * 1024,
	/** Creating or editing an endpoint: its URL, events, and up to 20 custom headers of up to 4 KB each. */
	endpoint: 128 * 1024,
	/** Everything else: a few form fields or a small JSON object. */
	other: 64 * 1024,
} as const;

export const limitBody = {
	updateApp: limitBodyTo(MAX_BODY_BYTES.updateApp),
	endpoint: limitBodyTo(MAX_BODY_BYTES.endpoint),
	other: limitBodyTo(MAX_BODY_BYTES.other),
};
