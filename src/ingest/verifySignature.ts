/**
 * Signed ingest (optional): with INGEST_SIGNING_SECRET set, every event must
 * carry Standard Webhooks headers signed with it, so a leaked ingest token
 * alone cannot inject events. Timestamps older or newer than 5 minutes are
 * refused (replay window); a replayed webhook-id inside the window is the
 * same event, answered idempotently by the caller.
 */
import { signWebhook } from "../delivery/signature";
import { HttpError } from "../http/errors";
import { tokensMatch } from "../http/tokens";

/** How far a webhook-timestamp may be from our clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const HOW_TO = "Sign the request the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature) with INGEST_SIGNING_SECRET.";

/** Returns the verified webhook-id, or throws 401. */
export async function verifyIngestSignature(
	secret: string,
	headers: (name: string) => string | undefined,
	body: string,
	now = Date.now(),
): Promise<string> {
	const id = headers("webhook-id");
	const timestamp = headers("webhook-timestamp");
	const signatures = headers("webhook-signature");
	if (!id || !timestamp || !signatures) throw new HttpError(401, `Missing signature headers. ${HOW_TO}`);
	const seconds = Number(timestamp);
	if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - seconds) > SIGNATURE_TOLERANCE_SECONDS) {
		throw new HttpError(401, `webhook-timestamp is missing, malformed or more than 5 minutes from now. ${HOW_TO}`);
	}
	const expected = await signWebhook(secret, id, seconds, body);
	for (const presented of signatures.split(" ")) {
		if (await tokensMatch(presented, expected)) return id;
	}
	throw new HttpError(401, `No webhook-signature matches. ${HOW_TO}`);
}
