/**
 * What the *.openapi.ts modules write, beside the code they describe: the
 * operations of a resource (with the errors each can answer), its tag, the
 * descriptions of its schemas' members, and the helpers they share. Build
 * time only (openapi/build.ts): the Worker never imports this.
 */
import * as z from "zod/mini";
import type { EventType } from "../eventTypes";
import type { ErrorCode } from "../http/errors";

/** Each event type's SupportBee sample, as text (static/samples/supportbee): the document's examples. */
export type Samples = Readonly<Record<EventType, string>>;

export type Method = "get" | "put" | "post" | "patch" | "delete";
export type Json = Record<string, unknown>;

/** Where an operation lives: the operator's API (ADMIN_TOKEN; `accounts` is its /api/accounts part), ingest (INGEST_TOKEN), or public. */
export type Surface = "operator" | "accounts" | "ingest" | "public";

export interface Success {
	description: string;
	/** A component schema's name; omitted for 204. */
	schema?: string;
	headers?: Json;
}

export interface Operation {
	method: Method;
	/** Within its surface: an account API path is relative to `/api` (or `/api/accounts/{uid}` for its twin). */
	path: string;
	id: string;
	/** Its resource's tag. */
	tag: string;
	summary: string;
	description?: string;
	/** Path parameters (by component name, e.g. `EndpointId`) and header parameters. */
	parameters?: Json[];
	query?: z.ZodMiniObject;
	/** A request component's name. */
	body?: string;
	/** Every member is optional, so the body may be left out entirely. */
	bodyOptional?: true;
	bodyExample?: EventType;
	success: Record<number, Success>;
	/** The errors this operation can answer besides those of its surface. */
	errors?: ErrorCode[];
	/** …and those its per-account twin adds. */
	twinErrors?: ErrorCode[];
	/** What a code means here, where the general description would be vague. */
	notes?: Partial<Record<ErrorCode, string>>;
}

/** A resource as the document tells it: its tag, its operations, and the descriptions of its schemas' members. */
export interface ResourceDoc {
	tag: { name: string; description: string };
	operations: Operation[];
	/** Adds the descriptions of its request and response members to zod's registry (see `describe`). */
	describeFields(): void;
}

/** A page's `next_cursor`, and the query parameter that takes it. */
export const NEXT_CURSOR = "Older rows: pass it as `before` (or `cursor`) for the next page; null on the last page.";
export const PREV_CURSOR = "Newer rows: pass it as `after` for the page before this one; null on the first page.";
export const PREVIOUS_CURSOR = "The `next_cursor` of the previous page.";

/** The query parameters the delivery log and the events list share (reports/filters.ts), for `what` (`when` it was made). */
export const LIST_FILTERS = (what: string, when: string) => ({
	ticket_id: `Only ${what} of this helpdesk ticket (\`payload.ticket.id\`), through an index.`,
	since: `Only ${what} ${when} at or after this time (an id range: ids sort by time).`,
	until: `Only ${what} ${when} at or before this time (an id range).`,
	before: "Older rows: the `next_cursor` of the page before.",
	cursor: "The same as `before` (kept from earlier releases).",
	after: "Newer rows: the `prev_cursor` of the page before; the page is still newest first.",
});

export const kb = (bytes: number) => `${bytes / 1024} KB`;
export const bodyOver = (bytes: number) => `The body is over ${kb(bytes)}, checked before anything is read.`;

export const ref = (kind: "schemas" | "parameters" | "responses", name: string) => ({ $ref: `#/components/${kind}/${name}` });
export const json = (schema: Json, example?: unknown) => ({ "application/json": example === undefined ? { schema } : { schema, example } });

export const idParameter = (what: string, prefix: string) => ({
	name: "id",
	in: "path",
	required: true,
	description: `The ${what}'s id (\`${prefix}_…\`).`,
	schema: { type: "string" },
});

export const noStore = {
	"Cache-Control": { description: "`no-store`: the secret is never cached.", schema: { type: "string", const: "no-store" } },
};

/**
 * Describes `schema` for zod's JSON Schema generator, in zod's global
 * registry. Descriptions are added here, at build time, never in the
 * Worker's schemas: zod registers a `describe()` when the schema is made,
 * so its text would ride along in the Worker's bundle.
 */
export function describe(schema: z.ZodMiniType, description: string): void {
	z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), description });
}

/** The schema a nullable or optional member wraps. */
export function inner(schema: z.ZodMiniType): z.ZodMiniType {
	return (schema._zod.def as unknown as { innerType: z.ZodMiniType }).innerType;
}

/** A member's description; for a nullable member, also that of the value it holds when not null. */
type MemberDescription = string | [member: string, value: string];

/** Describes members of an object schema (see `describe`). */
export function describeMembers<Shape extends Record<string, z.ZodMiniType>>(
	object: { shape: Shape },
	descriptions: { [Name in keyof Shape]?: MemberDescription },
): void {
	for (const [name, text] of Object.entries(descriptions) as [keyof Shape, MemberDescription][]) {
		const member = object.shape[name];
		if (typeof text === "string") describe(member, text);
		else {
			describe(member, text[0]);
			describe(inner(member), text[1]);
		}
	}
}
