/**
 * The one HTTP client that talks to destinations: checks the destination once
 * more (checkAndSend, the second step of an attempt), POSTs a signed webhook
 * and classifies what happened. It never throws; every outcome is a SendResult.
 */
import { version } from "../../package.json";
import type { Settings } from "../config";
import { errorMessage } from "../lib/log";
import { signWebhook } from "../lib/standardWebhooks";
import { checkDestination, destinationPolicy } from "../security/destination";
import type { DeliveryTarget } from "./claim";
import { liveSecrets } from "./signingSecrets";

/** How much of a destination's answer is kept for the delivery log. */
export const RESPONSE_SNIPPET_BYTES = 8 * 1024;

export const USER_AGENT = `Hivepost/${version}`;

export interface WebhookRequest {
	url: string;
	/** The event's exact text as the helpdesk sent it. */
	body: string;
	/** The event id: the same for every endpoint and retry, so receivers can dedupe. */
	webhookId: string;
	/** Signing secrets: the current one, plus the previous one for a while after a rotation. */
	secrets: readonly string[];
	/** The endpoint's custom headers (the receiver's own auth); ours win on a clash. */
	headers: Readonly<Record<string, string>>;
	timeoutMs: number;
}

export interface SendResult {
	ok: boolean;
	startedAt: number;
	durationMs: number;
	statusCode: number | null;
	error: string | null;
	responseBody: string | null;
	/** What a 429 or 503 asked for in Retry-After, in ms from now. */
	retryAfterMs: number | null;
}

export async function sendWebhook(request: WebhookRequest): Promise<SendResult> {
	const startedAt = Date.now();
	const timestamp = Math.floor(startedAt / 1000);
	const finish = (fields: Omit<SendResult, "startedAt" | "durationMs">): SendResult => ({
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
				...request.headers,
				"content-type": "application/json",
				"user-agent": USER_AGENT,
				"webhook-id": request.webhookId,
				"webhook-timestamp": String(timestamp),
				// Several signatures are space separated; a receiver accepts the message if any verifies.
				"webhook-signature": (
					await Promise.all(request.secrets.map((secret) => signWebhook(secret, request.webhookId, timestamp, request.body)))
				).join(" "),
			},
		});
		// The status line decides the outcome: a 2xx whose body then breaks off was still received.
		const ok = response.status >= 200 && response.status < 300;
		const { text: responseBody, failure } = await readSnippet(response, request.timeoutMs);
		const retryAfterMs =
			response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get("retry-after"), Date.now()) : null;
		const bodyNote = failure ? `response body: ${failure}` : null;
		const error = ok ? bodyNote : [describeStatus(response.status), bodyNote].filter(Boolean).join("; ");
		return finish({ ok, statusCode: response.status, error, responseBody, retryAfterMs });
	} catch (error) {
		return finish({ ok: false, statusCode: null, error: describeError(error, request.timeoutMs), responseBody: null, retryAfterMs: null });
	}
}

/** Checks the destination again (settings or the URL may have changed since it was saved), then signs and sends. */
export function checkAndSend(target: DeliveryTarget, settings: Settings): Promise<SendResult> {
	const check = checkDestination(target.url, destinationPolicy(settings));
	if (!check.ok) return Promise.resolve(refusedResult(`refused: the destination ${check.problem}`));
	return sendWebhook({
		url: check.url,
		body: target.body,
		webhookId: target.eventId,
		secrets: liveSecrets(target.secret, target.previousSecrets, Date.now()),
		headers: JSON.parse(target.headers),
		timeoutMs: settings.deliveryTimeoutMs,
	});
}

/** A failed attempt that never reached the network (the destination was refused). */
export function refusedResult(problem: string): SendResult {
	return { ok: false, startedAt: Date.now(), durationMs: 0, statusCode: null, error: problem, responseBody: null, retryAfterMs: null };
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
	if (!value) return null;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function describeStatus(status: number): string {
	if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed`;
	return `HTTP ${status}`;
}

function describeError(error: unknown, timeoutMs: number): string {
	if (isTimeout(error)) return `timed out: no response within ${timeoutMs} ms`;
	return `network error: ${errorMessage(error)}`;
}

function isTimeout(error: unknown): boolean {
	return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/**
 * Reads at most RESPONSE_SNIPPET_BYTES of the body, then cancels the rest of the
 * stream. A body that breaks off (connection reset, the timeout firing mid-read)
 * keeps what was read, and `failure` says what happened.
 */
async function readSnippet(response: Response, timeoutMs: number): Promise<{ text: string | null; failure: string | null }> {
	if (!response.body) return { text: null, failure: null };
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	let failure: string | null = null;
	try {
		while (size < RESPONSE_SNIPPET_BYTES) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			size += value.byteLength;
		}
	} catch (error) {
		failure = isTimeout(error) ? `timed out: the body was not complete within ${timeoutMs} ms` : `network error: ${errorMessage(error)}`;
	} finally {
		await reader.cancel().catch(() => {});
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return { text: new TextDecoder().decode(bytes.subarray(0, RESPONSE_SNIPPET_BYTES)), failure };
}
