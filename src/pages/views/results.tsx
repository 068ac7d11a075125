/**
 * What an attempt came to, in words ("500 · server error", "timed out after
 * 10 s", "connection refused or dropped"), with the hint for its kind; and
 * where a delivery stands ("attempt 2 of 4 · next in 57 min").
 */
import { type ErrorKind, errorHint } from "../../delivery/errorKinds";
import type { DeliveryView } from "../../reports/reportResponses";
import { Badge, relativeTime } from "./components";

/** The parts of an attempt its words are made of (an endpoint's health knows no status code or duration: its error text holds the code). */
export interface Outcome {
	status_code?: number | null;
	error: string | null;
	error_kind: ErrorKind | null;
	duration_ms?: number;
}

const STATUS_WORDS: Partial<Record<ErrorKind, string>> = {
	redirect: "redirect, not followed",
	auth: "not authorized",
	not_found: "not found",
	gone: "gone",
	rate_limited: "rate limited",
	server_error: "server error",
	client_error: "refused",
};

const NETWORK_WORDS: Partial<Record<ErrorKind, string>> = {
	connection: "connection refused or dropped",
	dns: "DNS lookup failed",
	tls: "TLS handshake failed",
};

/** An attempt's result in a few words, led by its status unless a badge beside them shows it already. */
function resultWords(outcome: Outcome, statusShown: boolean): string {
	const { error_kind: kind, error } = outcome;
	// send.ts writes a status's error as "HTTP <status>…".
	const status = outcome.status_code ?? error?.match(/^HTTP (\d{3})/)?.[1] ?? null;
	const lead = statusShown ? "" : `${status ?? "no answer"} · `;
	if (kind === null) return `${lead}delivered`;
	const words = STATUS_WORDS[kind];
	if (words) return `${lead}${words}`;
	if (kind === "timeout")
		return outcome.duration_ms ? `timed out after ${Math.max(1, Math.round(outcome.duration_ms / 1000))} s` : "timed out";
	return NETWORK_WORDS[kind] ?? (error ?? "failed").replace(/^network error: /, "");
}

/** An attempt's result in words, and for a failure its hint (what to check at `url`). */
export function Result({ outcome, url, statusShown = false }: { outcome: Outcome; url: string; statusShown?: boolean }) {
	return (
		<span>
			{resultWords(outcome, statusShown)}
			{outcome.error_kind && <small class="block hint">{errorHint(outcome.error_kind, url)}</small>}
		</span>
	);
}

/** Where a delivery stands: "attempt 2 of 4 · next in 57 min" while unfinished, else how many automatic attempts it took. */
/**
 * One attempt's result in a table of attempts: its status (or "no answer") as a badge, then its words and hint; and
 * its error text where that says more than "HTTP <status>".
 */
export function AttemptResult({
	attempt,
	url,
	withError = false,
}: {
	attempt: Outcome & { succeeded: boolean };
	url: string;
	withError?: boolean;
}) {
	const said = withError && attempt.error && attempt.error !== `HTTP ${attempt.status_code}` ? attempt.error : null;
	return (
		<>
			<Badge kind={attempt.succeeded ? "delivered" : "failed"}>{attempt.status_code ?? "no answer"}</Badge>{" "}
			<Result outcome={attempt} url={url} statusShown />
			{said && (
				<div>
					<small>{said}</small>
				</div>
			)}
		</>
	);
}

export function progressWords(delivery: DeliveryView, maxAttempts: number): string {
	const count = delivery.attempt_count;
	if (delivery.next_attempt_at === null) return `${count} automatic attempt${count === 1 ? "" : "s"}`;
	const at = Date.parse(delivery.next_attempt_at);
	const when = at > Date.now() + 5000 ? relativeTime(at) : "due now";
	return count === 0 ? `first attempt ${when}` : `attempt ${count} of ${maxAttempts} · next ${when}`;
}
