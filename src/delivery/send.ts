/**
 * The one HTTP client that talks to destinations: POSTs a signed webhook and
 * classifies what happened. It never throws; every outcome is a SendResult.
 */
import pkg from "../../package.json";
import { signWebhook } from "./signature";

/** How much of a destination's answer is kept for the delivery log. */
export const RESPONSE_SNIPPET_BYTES = 8 * 1024;

export const USER_AGENT = `Hivepost/${pkg.version}`;

export interface WebhookRequest {
	url: string;
	/** The event's exact text as the helpdesk sent it. */
	body: string;
	/** The event id: the same for every endpoint and retry, so receivers can dedupe. */
	webhookId: string;
	secret: string;
	timeoutMs: number;
}

export interface SendResult {
	ok: boolean;
	startedAt: number;
	durationMs: number;
	statusCode: number | null;
	error: string | null;
	responseBody: string | null;
}

export async function sendWebhook(request: WebhookRequest): Promise<SendResult> {
	const startedAt = Date.now();
	const timestamp = Math.floor(startedAt / 1000);
	const finish = (fields: Pick<SendResult, "ok" | "statusCode" | "error" | "responseBody">): SendResult => ({
		...fields,
		startedAt,
		durationMs: Date.now() - startedAt,
	});
	try {
		const response = await fetch(request.url, {
			method: "POST",
			body: request.body,
			// Redirects are failures: following one would send the signed body somewhere nobody registered.
			redirect: "manual",
			signal: AbortSignal.timeout(request.timeoutMs),
			headers: {
				"content-type": "application/json",
				"user-agent": USER_AGENT,
				"webhook-id": request.webhookId,
				"webhook-timestamp": String(timestamp),
				"webhook-signature": await signWebhook(request.secret, request.webhookId, timestamp, request.body),
			},
		});
		const responseBody = await readSnippet(response);
		const ok = response.status >= 200 && response.status < 300;
		return finish({ ok, statusCode: response.status, error: ok ? null : describeStatus(response.status), responseBody });
	} catch (error) {
		return finish({ ok: false, statusCode: null, error: describeError(error, request.timeoutMs), responseBody: null });
	}
}

function describeStatus(status: number): string {
	if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed`;
	return `HTTP ${status}`;
}

function describeError(error: unknown, timeoutMs: number): string {
	if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
		return `timed out: no response within ${timeoutMs} ms`;
	}
	return `network error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Reads at most RESPONSE_SNIPPET_BYTES of the body, then cancels the rest of the stream. */
async function readSnippet(response: Response): Promise<string | null> {
	if (!response.body) return null;
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		while (size < RESPONSE_SNIPPET_BYTES) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			size += value.byteLength;
		}
	} finally {
		await reader.cancel().catch(() => {});
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return new TextDecoder().decode(bytes.subarray(0, RESPONSE_SNIPPET_BYTES));
}
