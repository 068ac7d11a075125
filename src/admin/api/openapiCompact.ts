/**
 * The committed OpenAPI document (openapiDocument.ts) leaves out what the
 * Worker already holds: each SupportBee sample used as an example is a
 * marker, `"x-sample": "<event type>"`, which `expandDocument` replaces with
 * the sample from src/samples (already in the bundle for test events).
 * `expandDocument(compactDocument(doc))` is `doc` again; the staleness test
 * checks exactly that against a freshly built document.
 */
import type { EventType } from "../../events";

/** An OpenAPI 3.1 document, typed as far as the page and the tests read it. */
export interface OpenApiDocument {
	openapi: string;
	info: { title: string; version: string; description?: string };
	servers: { url: string }[];
	tags: { name: string; description?: string }[];
	security?: Record<string, string[]>[];
	paths: Record<string, Record<string, unknown>>;
	webhooks: Record<string, Record<string, unknown>>;
	components: Record<string, Record<string, unknown>>;
}

const MARKER = "x-sample";

function isSample(value: unknown): value is { payload: { action_type: EventType } } {
	const payload = (value as { payload?: { action_type?: unknown } } | null)?.payload;
	return typeof payload?.action_type === "string";
}

/** Replaces every `example` that is a SupportBee event with its marker. */
export function compactDocument<T>(value: T): T {
	if (Array.isArray(value)) return value.map(compactDocument) as T;
	if (typeof value !== "object" || value === null) return value;
	return Object.fromEntries(
		Object.entries(value).map(([key, member]) =>
			key === "example" && isSample(member) ? [MARKER, member.payload.action_type] : [key, compactDocument(member)],
		),
	) as T;
}

/** Puts the samples back where the markers are. */
export function expandDocument<T>(value: T, sample: (actionType: EventType) => unknown): T {
	if (Array.isArray(value)) return value.map((item) => expandDocument(item, sample)) as T;
	if (typeof value !== "object" || value === null) return value;
	return Object.fromEntries(
		Object.entries(value).map(([key, member]) =>
			key === MARKER ? ["example", sample(member as EventType)] : [key, expandDocument(member, sample)],
		),
	) as T;
}
