/**
 * Settings, read from the Worker's environment once per use, typed, with
 * defaults. A missing secret or a malformed setting fails closed: it throws
 * a SettingError, which the route answers as 503 `not_configured` naming it
 * (http/errors.ts; its value is never echoed).
 */
import { canonicalOrigin } from "./lib/origins";
import { isSigningSecret } from "./lib/standardWebhooks";
import { DAY_MS, HOUR_MS } from "./lib/time";

/** A setting that is missing or malformed; the message names it and says how to fix it. */
export class SettingError extends Error {}

export interface Settings {
	retryIntervalMs: number;
	/** Automatic retries after the first attempt: a delivery gets at most 1 + maxRetries automatic attempts. */
	maxRetries: number;
	deliveryTimeoutMs: number;
	/** A pending or overdue delivery untouched this long is taken up again by the sweep. */
	strandedAfterMs: number;
	/** Finished events, deliveries and attempts older than this are purged. */
	retentionMs: number;
	/** Local development only: lets destinations be private addresses and local names. */
	allowPrivateDestinations: boolean;
	httpsOnly: boolean;
	/** The Worker's own public origins, refused as destinations (loops); the first is where admin links point. */
	publicOrigins: string[];
	/** Live endpoints an account may have; the default account has no limit. */
	maxEndpointsPerAccount: number;
	/** How long a portal session opened by an admin link lasts. */
	accountSessionMs: number;
	/** Deliveries per second one account may start on the main lane; above it, its first attempts take the bulk lane. */
	fairRate: number;
	/** Manual actions (Send test event, Retry now, Redeliver) one account may make per minute. */
	manualActionsPerMinute: number;
	/** Automatic attempts failed in a row at which an endpoint's failing streak sends `endpoint.failing`. */
	alertAfterFailures: number;
	/** How long a failing streak may last before Hivepost disables the endpoint; 0: never. */
	disableAfterMs: number;
}

export const DEFAULTS = {
	RETRY_INTERVAL_SECONDS: 3600,
	MAX_RETRIES: 3,
	DELIVERY_TIMEOUT_MS: 10_000,
	STRANDED_AFTER_SECONDS: 120,
	RETENTION_DAYS: 30,
	MAX_ENDPOINTS_PER_ACCOUNT: 100,
	ACCOUNT_SESSION_HOURS: 12,
	FAIR_RATE: 100,
	MANUAL_ACTIONS_PER_MINUTE: 30,
	ALERT_AFTER_FAILURES: 5,
	DISABLE_AFTER_SECONDS: 432_000,
} as const;

type NumericSetting = keyof typeof DEFAULTS;

function readNumber(env: Env, name: NumericSetting, min: number): number {
	const raw = env[name];
	if (raw === undefined || raw === "") return DEFAULTS[name];
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min) throw malformed(name, `a number >= ${min}`);
	return value;
}

export function readSettings(env: Env): Settings {
	return {
		retryIntervalMs: readNumber(env, "RETRY_INTERVAL_SECONDS", 0) * 1000,
		maxRetries: Math.floor(readNumber(env, "MAX_RETRIES", 0)),
		deliveryTimeoutMs: readNumber(env, "DELIVERY_TIMEOUT_MS", 1),
		strandedAfterMs: readNumber(env, "STRANDED_AFTER_SECONDS", 0) * 1000,
		retentionMs: readNumber(env, "RETENTION_DAYS", 1) * DAY_MS,
		allowPrivateDestinations: readFlag(env, "ALLOW_PRIVATE_DESTINATIONS"),
		httpsOnly: readFlag(env, "HTTPS_ONLY"),
		publicOrigins: readOrigins(env),
		maxEndpointsPerAccount: Math.floor(readNumber(env, "MAX_ENDPOINTS_PER_ACCOUNT", 1)),
		accountSessionMs: readNumber(env, "ACCOUNT_SESSION_HOURS", 0.1) * HOUR_MS,
		fairRate: readNumber(env, "FAIR_RATE", 1),
		manualActionsPerMinute: Math.floor(readNumber(env, "MANUAL_ACTIONS_PER_MINUTE", 1)),
		alertAfterFailures: Math.floor(readNumber(env, "ALERT_AFTER_FAILURES", 1)),
		disableAfterMs: readNumber(env, "DISABLE_AFTER_SECONDS", 0) * 1000,
	};
}

function readOrigins(env: Env): string[] {
	const origins = (env.PUBLIC_ORIGINS ?? "").split(/[\s,]+/).filter(Boolean);
	try {
		return origins.map(canonicalOrigin);
	} catch {
		throw malformed("PUBLIC_ORIGINS", "absolute origins such as https://hooks.example.com, comma separated");
	}
}

function malformed(name: string, expected: string): SettingError {
	return new SettingError(
		`Setting ${name} is not valid (expected ${expected}), so this route is closed. Fix it in wrangler.toml [vars] (locally: .dev.vars).`,
	);
}

function readFlag(env: Env, name: "ALLOW_PRIVATE_DESTINATIONS" | "HTTPS_ONLY"): boolean {
	const raw = (env[name] ?? "false").trim().toLowerCase();
	if (raw === "true" || raw === "1") return true;
	if (raw === "false" || raw === "0" || raw === "") return false;
	throw malformed(name, "true or false");
}

export type SecretName = "ADMIN_TOKEN" | "INGEST_TOKEN";

/** The secret's value, or a 503 that names the missing setting (never an open door). */
export function requireSecret(env: Env, name: SecretName): string {
	const value = env[name];
	if (!value) {
		throw new SettingError(
			`${name} is not set, so this route is closed. Set it with \`wrangler secret put ${name}\` (locally: in .dev.vars).`,
		);
	}
	return value;
}

/**
 * INGEST_SIGNING_SECRET when signed ingest is on, null when it is off. A value
 * that is not a `whsec_<base64>` secret closes ingest with the same 503 as a
 * missing setting, rather than failing on every request.
 */
export function ingestSigningSecret(env: Env): string | null {
	const value = env.INGEST_SIGNING_SECRET?.trim();
	if (!value) return null;
	if (!isSigningSecret(value)) {
		throw new SettingError(
			"INGEST_SIGNING_SECRET is not a valid signing secret (expected `whsec_` followed by base64), so ingest is closed. Set it again with `wrangler secret put INGEST_SIGNING_SECRET`.",
		);
	}
	return value;
}
