/**
 * Signed ingest (optional): with INGEST_SIGNING_SECRET set, every event must
 * carry Standard Webhooks headers signed with it, so a leaked ingest token
 * alone cannot inject events. Timestamps older or newer than 5 minutes are
 * refused (replay window); a replayed webhook-id inside the window is the
 * same event within its account, and refused for any other (signedIds.ts).
 */
import { HttpError } from "../http/errors";
import { signatureMatches } from "../lib/standardWebhooks";

/** How far a webhook-timestamp may be from our clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const HOW_TO = "Sign the request the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature) with INGEST_SIGNING_SECRET.";

/** A request whose signature verified. */
export interface SignedRequest {
	/** Its webhook-id. */
	id: string;
	/** Until when (ms) the same request would verify again: its webhook-timestamp plus the tolerance. */
	verifiesUntil: number;
}

/** Returns the verified request, or throws 401. The secret was checked by config.ts. */
export async function verifyIngestSignature(
	secret: string,
	headers: (name: string) => string | undefined,
	body: string,
	now = Date.now(),
): Promise<SignedRequest> {
	const id = headers("webhook-id");
	const timestamp = headers("webhook-timestamp");
	const signatures = headers("webhook-signature");
	if (!id || !timestamp || !signatures) throw new HttpError("invalid_signature", `Missing signature headers. ${HOW_TO}`);
	const seconds = Number(timestamp);
	if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - seconds) > SIGNATURE_TOLERANCE_SECONDS) {
		throw new HttpError("invalid_signature", `webhook-timestamp is missing, malformed or more than 5 minutes from now. ${HOW_TO}`);
	}
	if (await signatureMatches(secret, id, seconds, body, signatures))
		return { id, verifiesUntil: (seconds + SIGNATURE_TOLERANCE_SECONDS) * 1000 };
	throw new HttpError("invalid_signature", `No webhook-signature matches. ${HOW_TO}`);
}
