/**
 * POST /events (the default account) and POST /accounts/{uid}/events: what
 * the helpdesk calls. Checks run in a fixed order, and each failure stores and
 * queues nothing:
 * 401 credentials → 404 unknown account → 415 content type → 413 size → 400 not UTF-8 → 401
 * signature (when signed ingest is on) → 400 unreadable → 422 unknown event → 409 webhook-id
 * accepted for another account (signed ingest).
 * The body is kept as the exact text its bytes encode (a BOM included), so the
 * signature is checked over, and deliveries carry, what the helpdesk sent.
 * A 202 is sent only once the event and its deliveries are committed in D1
 * and the main lane's messages are queued; work for the paced lanes (an
 * account over its fair rate, isolated endpoints) goes to the account's pacer
 * after the response (waitUntil), held in D1 meanwhile.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
import { ingestSigningSecret, readSettings, requireSecret } from "../config";
import { sendRouted } from "../delivery/pacing";
import { type AccountVariables, scopeOf, useDefaultAccount, useRecentAccountFromPath } from "../http/accountScope";
import { bearerToken } from "../http/bearer";
import { limitBodyTo } from "../http/bodyLimit";
import { HttpError } from "../http/errors";
import { tokensMatch } from "../lib/tokens";
import { parseEvent } from "./parseEvent";
import { claimSignedId } from "./signedIds";
import { storeEvent } from "./storeEvent";
import { verifyIngestSignature } from "./verifySignature";

/** The largest event body accepted (bytes). SupportBee events are a few KB. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Longest Idempotency-Key accepted. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A signed event's idempotency key is its webhook-id behind this prefix, apart from any Idempotency-Key header's. */
const SIGNED_KEY_PREFIX = "webhook-id:";

const requireIngestToken = createMiddleware<{ Bindings: Env }>(async (c, next) => {
	const expected = requireSecret(c.env, "INGEST_TOKEN");
	const presented = bearerToken(c.req.header("authorization")) ?? c.req.header("x-supportbee-key");
	if (!presented || !(await tokensMatch(presented, expected))) {
		throw new HttpError(
			"unauthorized",
			"Missing or wrong ingest token. Send `Authorization: Bearer <INGEST_TOKEN>` or `X-SupportBee-Key: <INGEST_TOKEN>`.",
		);
	}
	await next();
});

const requireJson = createMiddleware(async (c, next) => {
	const mediaType = c.req.header("content-type")?.split(";")[0].trim().toLowerCase();
	if (mediaType !== "application/json") {
		throw new HttpError("unsupported_media_type", "Send the event as JSON with `Content-Type: application/json`.");
	}
	await next();
});

const limitSize = limitBodyTo(MAX_EVENT_BYTES, "The event body");

/**
 * The body's text. Bytes that are not UTF-8 are refused: `c.req.text()` would
 * replace them with U+FFFD, and the event would be signed and delivered changed.
 * Checked before the signature, which can only be verified over text.
 */
function decodeUtf8(bytes: ArrayBuffer): string {
	try {
		return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
	} catch {
		throw new HttpError("invalid_utf8", "The body is not valid UTF-8. Send the event as UTF-8 encoded JSON.");
	}
}

/** Accepts one event for the request's account: the checks, then store, then queue. */
const acceptEvent = async (c: Context<{ Bindings: Env; Variables: AccountVariables }>) => {
	const body = decodeUtf8(await c.req.arrayBuffer());
	const signingSecret = ingestSigningSecret(c.env);
	const signed = signingSecret ? await verifyIngestSignature(signingSecret, (name) => c.req.header(name), body) : null;
	const { actionType, ticketId } = parseEvent(body);
	// A signed event's webhook-id is its idempotency key: the signature covers it, while an
	// Idempotency-Key header could be swapped to replay a captured request as a new event.
	const idempotencyKey = signed ? `${SIGNED_KEY_PREFIX}${signed.id}` : c.req.header("idempotency-key")?.trim() || null;
	// Errors name the header the sender controls: a signed event's key is its webhook-id, with a prefix it never sees.
	const keyHeader = signed ? "webhook-id" : "Idempotency-Key";
	if (idempotencyKey && idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
		const limit = MAX_IDEMPOTENCY_KEY_LENGTH - (signed ? SIGNED_KEY_PREFIX.length : 0);
		throw new HttpError("validation_failed", `${keyHeader} is longer than ${limit} characters.`, { [keyHeader]: "too long" });
	}
	const scope = scopeOf(c);
	if (signed) await claimSignedId(c.env, scope.accountId, signed);
	const stored = await storeEvent(scope, readSettings(c.env), { body, actionType, ticketId, idempotencyKey, keyHeader });
	if (stored.kind === "repeated") return c.json(stored.receipt, 200);
	await sendRouted(c.env, stored.deliveries, (work) => c.executionCtx.waitUntil(work));
	return c.json(stored.receipt, 202);
};

/** `POST /events` for the default account; `POST /accounts/{uid}/events` for any (the token is checked first, so uids cannot be probed). */
export const ingestRoutes = new Hono<{ Bindings: Env; Variables: AccountVariables }>()
	.post("/events", requireIngestToken, useDefaultAccount, requireJson, limitSize, acceptEvent)
	.post("/accounts/:uid/events", requireIngestToken, useRecentAccountFromPath, requireJson, limitSize, acceptEvent);
