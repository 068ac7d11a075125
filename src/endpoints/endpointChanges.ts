/**
 * Every change to endpoints, shared by the JSON API, the operator's pages and
 * the portal: each is one D1 batch (all or nothing) within one account,
 * recorded with its actor in the same batch, and every URL saved goes through
 * the one destination check.
 */
import { and, eq, exists, isNull, type SQL } from "drizzle-orm";
import type { Settings } from "../config";
import { type AccountScope, insertInChunks, isUniqueViolation } from "../db/client";
import { isDefaultAccount } from "../db/defaultAccount";
import { endpoints } from "../db/schema";
import { retire } from "../delivery/signingSecrets";
import { cancelUnfinishedDeliveries } from "../delivery/stateChanges";
import { HttpError } from "../http/errors";
import { newSigningSecret } from "../lib/standardWebhooks";
import { DAY_MS } from "../lib/time";
import type { DestinationPolicy } from "../security/destination";
import { type AuditAction, recordChange } from "./audit";
import { applyHeaderChanges, MAX_CUSTOM_HEADERS } from "./customHeaders";
import { destinationOrThrow, destinationsOrThrow } from "./destinationChecks";
import type { EndpointChanges } from "./endpointRequests";
import { deleteEndpointsStatements, type EndpointRow, listEndpoints, newEndpoint, requireEndpoint, storedHeaders } from "./endpointStore";
import { splitUrlList } from "./urlList";

/**
 * What enabling a disabled endpoint clears: why and when Hivepost or someone
 * disabled it, and its failing streak (so it is not disabled again at its next
 * failure for a streak that began before). An alert sent for that streak is
 * kept: its first success still sends `endpoint.recovered`.
 */
export const ENABLED = {
	enabled: true,
	disabledReason: null,
	disabledCause: null,
	disabledAt: null,
	consecutiveFailures: 0,
	failingSince: null,
} as const;

/** After a rotation, deliveries carry the replaced secret's signature too for this long. */
export const ROTATION_OVERLAP_MS = DAY_MS;

/** Who is making a change, and within which account. */
export interface ChangeContext extends AccountScope {
	actor: string;
}

function conflictOnDuplicate(error: unknown): never {
	if (isUniqueViolation(error)) {
		throw new HttpError("url_taken", "That URL is already registered (perhaps by a concurrent change). Reload the list and try again.");
	}
	throw error;
}

/**
 * The endpoint is as `row` read it: still live and, where a change builds on a
 * value it read (the secret it replaces, the headers it merges into), still
 * holding that value. A change's update is fenced on it, and every other
 * statement of its batch checks it first: all of them happen, or none.
 */
function asRead(change: ChangeContext, row: EndpointRow, builtOn?: "secret" | "headers"): SQL {
	return and(
		eq(endpoints.id, row.id),
		eq(endpoints.accountId, change.accountId),
		isNull(endpoints.deletedAt),
		builtOn ? eq(endpoints[builtOn], row[builtOn]) : undefined,
	) as SQL;
}

function stillAsRead(change: ChangeContext, fence: SQL): SQL {
	return exists(change.db.select({ id: endpoints.id }).from(endpoints).where(fence));
}

/** A change whose fenced update wrote nothing: another change came first, and this one wrote nothing at all. */
function concurrentChange(what: string): HttpError {
	return new HttpError("concurrent_change", `${what} was changed by someone else a moment ago; nothing was saved. Reload and try again.`);
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

/**
 * MAX_ENDPOINTS_PER_ACCOUNT, checked against the live endpoints read for the
 * change (the default account has no limit). Two changes racing can each pass
 * it; the limit protects the deployment's capacity, not an exact count.
 */
function refuseOverLimit(scope: AccountScope, settings: Settings, total: number): void {
	if (isDefaultAccount({ id: scope.accountId }) || total <= settings.maxEndpointsPerAccount) return;
	throw new HttpError(
		"endpoint_limit",
		`An account can have at most ${settings.maxEndpointsPerAccount} endpoints (MAX_ENDPOINTS_PER_ACCOUNT); this change would make ${total}. Remove some first.`,
		{ url: "over the endpoint limit" },
	);
}

/** The most URLs one Update App list of the default account may hold: it has no endpoint limit, but a list is bounded all the same. */
export const DEFAULT_ACCOUNT_LIST_LIMIT = 1000;

/**
 * An Update App list longer than the account may have endpoints, counted
 * before any URL of it is parsed: a list of thousands is refused at once.
 * Repeats of the same text count once.
 */
function refuseLongList(scope: AccountScope, settings: Settings, listed: readonly string[]): void {
	const count = new Set(listed).size;
	const isDefault = isDefaultAccount({ id: scope.accountId });
	const limit = isDefault ? DEFAULT_ACCOUNT_LIST_LIMIT : settings.maxEndpointsPerAccount;
	if (count <= limit) return;
	const problem = `${count} URLs, more than the ${limit} ${isDefault ? "Update App takes for the default account" : "endpoints an account can have (MAX_ENDPOINTS_PER_ACCOUNT)"}`;
	throw new HttpError("endpoint_limit", `The list holds ${problem}. Remove some and try again.`, { urls: problem });
}

export async function createEndpoint(
	change: ChangeContext,
	policy: DestinationPolicy,
	settings: Settings,
	input: { url: string; events?: string[]; headers?: Record<string, string | null> },
): Promise<EndpointRow> {
	const url = destinationOrThrow(input.url, "url", policy);
	const existing = await listEndpoints(change);
	refuseTakenUrl(existing, url);
	refuseOverLimit(change, settings, existing.length + 1);
	const row = newEndpoint(change.accountId, url, input.events, applyHeaderChanges({}, input.headers ?? {}));
	await change.db
		.batch([change.db.insert(endpoints).values(row), recordChange(change, row.id, change.actor, "endpoint created", url, row.createdAt)])
		.catch(conflictOnDuplicate);
	return row;
}

/** What Update App will do with a list: which endpoints stay, which are deleted, which are created. */
export interface Replacement {
	kept: EndpointRow[];
	removed: EndpointRow[];
	added: EndpointRow[];
}

/**
 * SupportBee's "Update App", first step: the text box becomes the whole set.
 * Unchanged URLs keep their id, events and secret; removed ones are to be
 * deleted; new ones created. A list longer than the account may have is a 422
 * before any URL is parsed; invalid URLs are a 422 naming each. Writes nothing,
 * so a page can ask before anything is deleted.
 */
export async function planReplacement(
	change: ChangeContext,
	policy: DestinationPolicy,
	settings: Settings,
	urlList: string,
): Promise<Replacement> {
	const listed = splitUrlList(urlList);
	refuseLongList(change, settings, listed);
	const wanted = [...new Set(destinationsOrThrow(listed, policy))];
	const existing = await listEndpoints(change);
	const now = Date.now();
	return {
		kept: existing.filter((row) => wanted.includes(row.url)),
		removed: existing.filter((row) => !wanted.includes(row.url)),
		added: wanted
			.filter((url) => !existing.some((row) => row.url === url))
			.map((url) => newEndpoint(change.accountId, url, undefined, {}, now)),
	};
}

/** Update App, second step: applies a replacement in one batch (a concurrent change to the same URL is a 409, and nothing changes). */
export async function replaceEndpoints(change: ChangeContext, { removed, added }: Replacement): Promise<void> {
	const now = Date.now();
	const removedIds = removed.map((row) => row.id);
	const [first, ...rest] = [
		...(removedIds.length ? deleteEndpointsStatements(change, removedIds, now) : []),
		...insertInChunks(change.db, endpoints, added),
		...removed.map((row) => recordChange(change, row.id, change.actor, "endpoint deleted", `${row.url} (Update App)`, now)),
		...added.map((row) => recordChange(change, row.id, change.actor, "endpoint created", `${row.url} (Update App)`, now)),
	];
	if (first) await change.db.batch([first, ...rest]).catch(conflictOnDuplicate);
}

/** What an edit changes, in the audit record's words (never a header value). */
function describeEdit(row: EndpointRow, changes: EndpointChanges): { action: AuditAction; detail: string }[] {
	const entries: { action: AuditAction; detail: string }[] = [];
	if (changes.url !== undefined && changes.url !== row.url)
		entries.push({ action: "endpoint edited", detail: `URL ${row.url} → ${changes.url}` });
	if (changes.events && JSON.stringify(changes.events) !== row.events)
		entries.push({ action: "endpoint edited", detail: `events: ${changes.events.join(", ")}` });
	if (changes.enabled !== undefined && changes.enabled !== row.enabled) {
		entries.push({ action: changes.enabled ? "endpoint enabled" : "endpoint disabled", detail: row.url });
	}
	for (const [name, value] of Object.entries(changes.headers ?? {})) {
		entries.push(
			value === null ? { action: "header removed", detail: name.toLowerCase() } : { action: "header set", detail: name.toLowerCase() },
		);
	}
	return entries;
}

/**
 * Edits an endpoint: URL (keeps its secret and history), enabled, events,
 * headers. Disabling cancels its unfinished deliveries in the same batch and
 * records why (by hand) and when; enabling clears them.
 */
export async function updateEndpoint(
	change: ChangeContext,
	policy: DestinationPolicy,
	id: string,
	changes: EndpointChanges,
): Promise<EndpointRow> {
	const row = await requireEndpoint(change, id);
	// Nothing asked (`{}`): nothing written, not even `updated_at`.
	if (Object.values(changes).every((value) => value === undefined)) return row;
	const now = Date.now();
	const next: Partial<EndpointRow> = { updatedAt: now };
	if (changes.url !== undefined) {
		next.url = destinationOrThrow(changes.url, "url", policy);
		refuseTakenUrl(await listEndpoints(change), next.url, id);
	}
	if (changes.events) next.events = JSON.stringify(changes.events);
	if (changes.headers) next.headers = JSON.stringify(headersWithin(applyHeaderChanges(storedHeaders(row), changes.headers)));
	if (changes.enabled && !row.enabled) Object.assign(next, ENABLED);
	// Disabling a disabled endpoint keeps why and when it was.
	else if (changes.enabled === false && row.enabled) Object.assign(next, { enabled: false, disabledCause: "manual", disabledAt: now });
	// Headers are merged into those read above: fenced on them, so a concurrent edit's header is never lost.
	const fence = asRead(change, row, changes.headers ? "headers" : undefined);
	const unchanged = stillAsRead(change, fence);
	const audit = describeEdit(row, { ...changes, url: next.url }).map((entry) =>
		recordChange(change, id, change.actor, entry.action, entry.detail, now, unchanged),
	);
	const cancel = changes.enabled === false ? [cancelUnfinishedDeliveries(change, [id], now, { onlyIf: unchanged })] : [];
	const update = change.db.update(endpoints).set(next).where(fence).returning({ id: endpoints.id });
	// The update comes last: every statement before it checks the fence while the endpoint is still as read.
	const [first, ...rest] = [...audit, ...cancel, update];
	const results = await change.db.batch([first, ...rest]).catch(conflictOnDuplicate);
	if (!(results.at(-1) as { id: string }[]).length) throw concurrentChange("The endpoint");
	return { ...row, ...next };
}

/**
 * A new signing secret. The replaced one keeps signing alongside it for
 * ROTATION_OVERLAP_MS, and so does every secret replaced before it within its
 * own overlap: rotating twice never drops a secret a receiver still holds.
 */
export async function rotateSecret(change: ChangeContext, id: string): Promise<EndpointRow> {
	const row = await requireEndpoint(change, id);
	const now = Date.now();
	const next = {
		secret: newSigningSecret(),
		previousSecrets: retire(row.previousSecrets, row.secret, now, ROTATION_OVERLAP_MS),
		updatedAt: now,
	};
	// Fenced on the secret it replaces: of two rotations at once one wins, so the secret shown is the one that signs.
	const fence = asRead(change, row, "secret");
	const [, rotated] = await change.db.batch([
		recordChange(change, id, change.actor, "secret rotated", null, now, stillAsRead(change, fence)),
		change.db.update(endpoints).set(next).where(fence).returning({ id: endpoints.id }),
	]);
	if (!rotated.length) throw concurrentChange("The signing secret");
	return { ...row, ...next };
}

export async function deleteEndpoint(change: ChangeContext, id: string): Promise<void> {
	const row = await requireEndpoint(change, id);
	const now = Date.now();
	await change.db.batch([
		...deleteEndpointsStatements(change, [id], now),
		recordChange(change, id, change.actor, "endpoint deleted", row.url, now),
	]);
}
