/**
 * Every change to endpoints, shared by the JSON API and the admin page: each
 * is one D1 batch (all or nothing), and every URL saved goes through the one
 * destination check.
 */
import { and, eq, isNull } from "drizzle-orm";
import { chunk } from "../chunk";
import { destinationPolicy, readSettings } from "../config";
import { type Database, insertInChunks, isUniqueViolation, MAX_IDS_PER_STATEMENT } from "../db/client";
import { endpoints } from "../db/schema";
import { cancelUnfinishedDeliveries } from "../delivery/cancel";
import { HttpError } from "../http/errors";
import { checkDestination, type DestinationPolicy } from "../security/destination";
import { newSigningSecret } from "../standardWebhooks";
import type { EndpointChanges } from "./api/schemas";
import { applyHeaderChanges, MAX_CUSTOM_HEADERS } from "./customHeaders";
import { deleteEndpointsStatements, type EndpointRow, listEndpoints, newEndpoint, requireEndpoint, storedHeaders } from "./endpointStore";

/** After a rotation, deliveries carry the old secret's signature too for this long. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** The destination rules for a URL saved through a request (its own origin counts as a loop). */
export function policyFor(env: Env, requestUrl: string): DestinationPolicy {
	return destinationPolicy(readSettings(env), new URL(requestUrl).origin);
}

function destinationOrThrow(raw: string, field: string, policy: DestinationPolicy): string {
	const check = checkDestination(raw, policy);
	if (!check.ok)
		throw new HttpError("destination_refused", `URL ${JSON.stringify(raw)} ${check.problem}.`, { [field]: `${raw} ${check.problem}` });
	return check.url;
}

function conflictOnDuplicate(error: unknown): never {
	if (isUniqueViolation(error)) {
		throw new HttpError("url_taken", "That URL is already registered (perhaps by a concurrent change). Reload the list and try again.");
	}
	throw error;
}

function refuseTakenUrl(existing: EndpointRow[], url: string, exceptId?: string): void {
	if (existing.some((row) => row.url === url && row.id !== exceptId)) {
		throw new HttpError("url_taken", `${url} is already registered. Edit or delete the existing endpoint instead.`, {
			url: "already registered",
		});
	}
}

function headersWithin(headers: Record<string, string>): Record<string, string> {
	if (Object.keys(headers).length > MAX_CUSTOM_HEADERS) {
		throw new HttpError("validation_failed", `An endpoint can have at most ${MAX_CUSTOM_HEADERS} custom headers.`, { headers: "too many" });
	}
	return headers;
}

export async function createEndpoint(
	db: Database,
	policy: DestinationPolicy,
	input: { url: string; events?: string[]; headers?: Record<string, string | null> },
): Promise<EndpointRow> {
	const url = destinationOrThrow(input.url, "url", policy);
	refuseTakenUrl(await listEndpoints(db), url);
	const row = newEndpoint(url, input.events, applyHeaderChanges({}, input.headers ?? {}));
	await db.insert(endpoints).values(row).catch(conflictOnDuplicate);
	return row;
}

/**
 * Where SupportBee's "Web Hooks" text box is split: white space, semicolons,
 * and a comma only where the next non-blank text is another URL (or nothing):
 * a comma inside a URL (`?ids=1,2`) is part of it, and the list the page shows
 * (URLs joined by ", ") splits back into the same URLs.
 */
const URL_LIST_SEPARATOR = /[\s;]+|,(?=[\s,;]*(?:https?:\/\/|$))/i;

export function splitUrlList(text: string): string[] {
	return text.split(URL_LIST_SEPARATOR).filter((part) => part !== "");
}

/**
 * SupportBee's "Update App": the text box becomes the whole set. Unchanged URLs
 * keep their id, events and secret; removed ones are deleted; new ones are
 * created. Any invalid URL is a 422 naming it, and nothing changes.
 */
export async function replaceEndpoints(db: Database, policy: DestinationPolicy, urlList: string) {
	const wanted = [...new Set(splitUrlList(urlList).map((raw, i) => destinationOrThrow(raw, `urls[${i}]`, policy)))];
	const existing = await listEndpoints(db);
	const removed = existing.filter((row) => !wanted.includes(row.url)).map((row) => row.id);
	const kept = existing.filter((row) => wanted.includes(row.url));
	const added = wanted.filter((url) => !existing.some((row) => row.url === url)).map((url) => newEndpoint(url));
	const [first, ...rest] = [
		...chunk(removed, MAX_IDS_PER_STATEMENT).flatMap((ids) => deleteEndpointsStatements(db, ids)),
		...insertInChunks(db, endpoints, added),
	];
	if (first) await db.batch([first, ...rest]).catch(conflictOnDuplicate);
	return { kept, added };
}

/**
 * Edits an endpoint: URL (keeps its secret and history), enabled, events,
 * headers. Disabling cancels its unfinished deliveries in the same batch;
 * enabling clears the reason Hivepost disabled it for.
 */
export async function updateEndpoint(db: Database, policy: DestinationPolicy, id: string, changes: EndpointChanges): Promise<EndpointRow> {
	const row = await requireEndpoint(db, id);
	const now = Date.now();
	const next: Partial<EndpointRow> = { updatedAt: now };
	if (changes.url !== undefined) {
		next.url = destinationOrThrow(changes.url, "url", policy);
		refuseTakenUrl(await listEndpoints(db), next.url, id);
	}
	if (changes.events) next.events = JSON.stringify(changes.events);
	if (changes.headers) next.headers = JSON.stringify(headersWithin(applyHeaderChanges(storedHeaders(row), changes.headers)));
	if (changes.enabled !== undefined) {
		next.enabled = changes.enabled;
		next.disabledReason = null;
	}
	const update = db
		.update(endpoints)
		.set(next)
		.where(and(eq(endpoints.id, id), isNull(endpoints.deletedAt)));
	await (changes.enabled === false ? db.batch([update, cancelUnfinishedDeliveries(db, [id], now)]) : update).catch(conflictOnDuplicate);
	return { ...row, ...next };
}

/** A new signing secret; the old one keeps signing alongside it for ROTATION_OVERLAP_MS. */
export async function rotateSecret(db: Database, id: string): Promise<EndpointRow> {
	const row = await requireEndpoint(db, id);
	const now = Date.now();
	const next = {
		secret: newSigningSecret(),
		previousSecret: row.secret,
		previousSecretExpiresAt: now + ROTATION_OVERLAP_MS,
		updatedAt: now,
	};
	await db.update(endpoints).set(next).where(eq(endpoints.id, id));
	return { ...row, ...next };
}

export async function deleteEndpoint(db: Database, id: string): Promise<void> {
	await requireEndpoint(db, id);
	await db.batch(deleteEndpointsStatements(db, [id]));
}
