/**
 * What a change to endpoints takes, as zod schemas: the same objects validate
 * the API's bodies (readJson) and the pages' forms (validateInput), and
 * generate the OpenAPI document (their descriptions are added at build time,
 * in api/endpoints.openapi.ts).
 */
import * as z from "zod/mini";
import { ALL_EVENTS, EVENT_TYPES } from "../eventTypes";
import {
	HEADER_NAME_PATTERN,
	HEADER_VALUE_PATTERN,
	isReservedHeaderName,
	MAX_CUSTOM_HEADERS,
	MAX_HEADER_VALUE_LENGTH,
} from "./customHeaders";

/** An endpoint's event filter over `types` (the ticket events, or the operational messages): a list of them, or `["*"]`. */
export function eventListOf<const Type extends string>(types: readonly [Type, ...Type[]]) {
	return z.pipe(
		z
			.array(z.enum([ALL_EVENTS, ...types], { error: `must be one of ${types.join(", ")}, or "${ALL_EVENTS}" for all` }), {
				error: `must be a list of event types, or ["${ALL_EVENTS}"] for all`,
			})
			.check(z.minLength(1, { error: `must name at least one event type, or ["${ALL_EVENTS}"] for all` })),
		z.transform((list): (Type | typeof ALL_EVENTS)[] => ((list as string[]).includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(list)])),
	);
}

export const eventListSchema = eventListOf(EVENT_TYPES);

// Each problem a whole sentence, plain enough for the pages to show as it is.
const headerNameSchema = z.string().check(
	z.refine((name) => name !== "", { error: "A header needs a name.", abort: true }),
	z.refine((name) => !/\s/.test(name), { error: "Header names can't contain spaces.", abort: true }),
	z.regex(HEADER_NAME_PATTERN, { error: "Header names can only use letters, digits and !#$%&'*+.^_`|~-.", abort: true }),
	z.refine((name) => !isReservedHeaderName(name), {
		error: "Hivepost sets this header itself (or it is hop-by-hop), so it can't be set here.",
	}),
);

/** Header name → new value, or null to remove it. Values are write-only. */
export const headerChangesSchema = z
	.record(
		headerNameSchema,
		z.nullable(
			z
				.string({ error: "must be a string, or null to remove the header" })
				.check(
					z.maxLength(MAX_HEADER_VALUE_LENGTH, { error: `Header values can be at most ${MAX_HEADER_VALUE_LENGTH} characters long.` }),
					z.regex(HEADER_VALUE_PATTERN, { error: "Header values can only use visible ASCII characters, spaces and tabs." }),
				),
		),
		// A refused name is reported with its own reason (the key's issue), under its name.
		{
			error: (issue) =>
				issue.code === "invalid_key"
					? issue.issues[0]?.message
					: issue.code === "invalid_type"
						? "must be an object of header names to values"
						: undefined,
		},
	)
	.check(z.refine((changes) => Object.keys(changes).length <= MAX_CUSTOM_HEADERS, { error: `at most ${MAX_CUSTOM_HEADERS} headers` }));

export const createEndpointSchema = z.object({
	url: z.string({ error: "must be a URL string" }),
	events: z.optional(eventListSchema),
	headers: z.optional(headerChangesSchema),
});

export const updateEndpointSchema = z.object({
	url: z.optional(z.string({ error: "must be a URL string" })),
	enabled: z.optional(z.boolean({ error: "must be true or false" })),
	events: z.optional(eventListSchema),
	headers: z.optional(headerChangesSchema),
});

export const replaceEndpointsSchema = z.object({
	urls: z.string({ error: "must be a string of URLs separated by commas" }),
});

export const testEventSchema = z.object({
	action_type: z.enum(EVENT_TYPES, { error: `must be one of the 16 event types: ${EVENT_TYPES.join(", ")}` }),
});

/** What a redelivery can take: deliveries that failed, are retrying or were cancelled, and events the endpoint missed. */
export const REDELIVER_INCLUDES = ["failed", "retrying", "cancelled", "missed"] as const;

export const redeliverSchema = z.object({
	since: z.iso.datetime({ offset: true, error: "must be an ISO 8601 time, e.g. 2026-11-20T09:00:00Z" }),
	include: z._default(
		z
			.array(z.enum(REDELIVER_INCLUDES, { error: `must be one of ${REDELIVER_INCLUDES.join(", ")}` }), {
				error: `must be a list of ${REDELIVER_INCLUDES.join(", ")}`,
			})
			.check(z.minLength(1, { error: `must name at least one of ${REDELIVER_INCLUDES.join(", ")}` })),
		["failed"],
	),
	enable: z.optional(z.boolean({ error: "must be true or false" })),
	dry_run: z.optional(z.boolean({ error: "must be true or false" })),
});

/** A change to an endpoint, whichever catalogue its event filter is of. */
export type EndpointChanges = Omit<z.infer<typeof updateEndpointSchema>, "events"> & { events?: string[] };
export type RedeliverRequest = z.output<typeof redeliverSchema>;
