/**
 * The one error shape every route answers with:
 * `{"error": "<what is wrong and how to fix it>", "code": "<stable cause>", "fields"?: {"<name>": "<problem>"}}`,
 * plus `request_id` on a 500. Each code has one status; the README's table and
 * the OpenAPI document list them all.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { SettingError } from "../config";
import { isMoveRefusal } from "../db/moveMarkers";
import type { ErrorBody } from "./errorBody";

export const ERROR_STATUS = {
	invalid_json: 400,
	missing_field: 400,
	invalid_utf8: 400,
	unauthorized: 401,
	invalid_signature: 401,
	csrf_rejected: 403,
	forbidden: 403,
	read_only: 403,
	not_found: 404,
	url_taken: 409,
	concurrent_change: 409,
	idempotency_conflict: 409,
	endpoint_disabled: 409,
	endpoint_deleted: 409,
	account_protected: 409,
	access_mode: 409,
	same_database: 409,
	move_in_progress: 409,
	payload_too_large: 413,
	unsupported_media_type: 415,
	validation_failed: 422,
	unknown_event_type: 422,
	destination_refused: 422,
	endpoint_limit: 422,
	rate_limited: 429,
	internal_error: 500,
	not_configured: 503,
	account_moving: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export class HttpError extends Error {
	readonly status: ContentfulStatusCode;

	constructor(
		readonly code: ErrorCode,
		message: string,
		readonly fields?: Record<string, string>,
		/** For a 429 or a 503 `account_moving`: when to try again, sent as `Retry-After`. */
		readonly retryAfterSeconds?: number,
	) {
		super(message);
		this.status = ERROR_STATUS[code];
	}
}

/** How long a write refused by a move's switch is asked to wait: the switch takes seconds. */
export const ACCOUNT_MOVING_RETRY_SECONDS = 5;

/**
 * What a route answers for `error`: an HttpError as it is, a missing or malformed setting as 503 `not_configured`,
 * a write refused because its account is switching databases (or just did) as 503 `account_moving`; null for
 * anything unexpected.
 */
export function knownError(error: unknown): HttpError | null {
	if (error instanceof HttpError) return error;
	if (error instanceof SettingError) return new HttpError("not_configured", error.message);
	if (isMoveRefusal(error)) {
		return new HttpError(
			"account_moving",
			"This account is being moved to another database and takes no writes for a few seconds. Send the request again after Retry-After seconds.",
			undefined,
			ACCOUNT_MOVING_RETRY_SECONDS,
		);
	}
	return null;
}

export function errorBody(error: HttpError, requestId?: string): ErrorBody {
	const body: ErrorBody = { error: error.message, code: error.code };
	if (error.fields) body.fields = error.fields;
	if (error.status === 500 && requestId) body.request_id = requestId;
	return body;
}

/** The headers an error answer carries besides its body: the scheme that would work for a 401 (RFC 9110), when to try again for a 429. */
export function errorHeaders(error: HttpError): Record<string, string> {
	const headers: Record<string, string> = {};
	if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="hivepost"';
	if (error.retryAfterSeconds !== undefined) headers["Retry-After"] = String(error.retryAfterSeconds);
	return headers;
}

export function errorResponse(c: Context, error: HttpError): Response {
	for (const [name, value] of Object.entries(errorHeaders(error))) c.header(name, value);
	return c.json(errorBody(error, c.get("requestId")), error.status);
}

export const INTERNAL_ERROR_MESSAGE =
	"Internal error; nothing was changed. Try again, and check the Worker logs (by request id) if it persists.";
