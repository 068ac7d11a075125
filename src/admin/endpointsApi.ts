/**
 * /api/endpoints: register, list, replace (SupportBee's "Update App") and
 * delete destination URLs. Every change is one D1 batch: all or nothing.
 */
import { Hono } from "hono";
import { z } from "zod/mini";
import { destinationPolicy, readSettings } from "../config";
import { chunk, database, insertInChunks, isUniqueViolation, MAX_IDS_PER_STATEMENT } from "../db/client";
import { endpoints } from "../db/schema";
import { ALL_EVENTS, EVENT_TYPES } from "../events";
import { HttpError } from "../http/errors";
import { readJson } from "../http/readJson";
import { checkDestination, type DestinationPolicy } from "../security/destination";
import { deleteEndpointsStatements, findEndpoint, listEndpoints, newEndpoint, toView } from "./endpointStore";

const eventListSchema = z.pipe(
	z
		.array(z.enum([ALL_EVENTS, ...EVENT_TYPES]), { error: `must be a list of event types, or ["${ALL_EVENTS}"] for all` })
		.check(z.minLength(1, { error: `must name at least one event type, or ["${ALL_EVENTS}"] for all` })),
	z.transform((list) => (list.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(list)])),
);

const createSchema = z.object({
	url: z.string({ error: "must be a URL string" }),
	events: z.optional(eventListSchema),
});

const replaceSchema = z.object({
	urls: z.string({ error: "must be a string of URLs separated by commas" }),
});

/** Splits SupportBee's "Web Hooks" text box: URLs separated by commas, semicolons or white space. */
function splitUrlList(text: string): string[] {
	return text.split(/[\s,;]+/).filter((part) => part !== "");
}

/** The destination rules for a URL saved through this request (its own origin counts as a loop). */
function policyFor(c: { env: Env; req: { url: string } }): DestinationPolicy {
	return destinationPolicy(readSettings(c.env), new URL(c.req.url).origin);
}

function destinationOrThrow(raw: string, field: string, policy: DestinationPolicy): string {
	const check = checkDestination(raw, policy);
	if (!check.ok) throw new HttpError(422, `URL ${JSON.stringify(raw)} ${check.problem}.`, { [field]: `${raw} ${check.problem}` });
	return check.url;
}

function conflictOnDuplicate(error: unknown): never {
	if (isUniqueViolation(error)) {
		throw new HttpError(409, "That URL is already registered (perhaps by a concurrent change). Reload the list and try again.");
	}
	throw error;
}

export const endpointsApi = new Hono<{ Bindings: Env }>()
	.get("/", async (c) => {
		const rows = await listEndpoints(database(c.env));
		return c.json({ endpoints: rows.map((row) => toView(row)) });
	})
	.post("/", async (c) => {
		const input = await readJson(c, createSchema);
		const url = destinationOrThrow(input.url, "url", policyFor(c));
		const db = database(c.env);
		if ((await listEndpoints(db)).some((row) => row.url === url)) {
			throw new HttpError(409, `${url} is already registered. Edit or delete the existing endpoint instead.`, {
				url: "already registered",
			});
		}
		const row = newEndpoint(url, input.events);
		await db.insert(endpoints).values(row).catch(conflictOnDuplicate);
		return c.json(toView(row, true), 201);
	})
	.put("/", async (c) => {
		const input = await readJson(c, replaceSchema);
		const policy = policyFor(c);
		const wanted = [...new Set(splitUrlList(input.urls).map((raw, i) => destinationOrThrow(raw, `urls[${i}]`, policy)))];
		const db = database(c.env);
		const existing = await listEndpoints(db);
		const removed = existing.filter((row) => !wanted.includes(row.url)).map((row) => row.id);
		const kept = existing.filter((row) => wanted.includes(row.url));
		const added = wanted.filter((url) => !existing.some((row) => row.url === url)).map((url) => newEndpoint(url));
		const statements = [
			...chunk(removed, MAX_IDS_PER_STATEMENT).flatMap((ids) => deleteEndpointsStatements(db, ids)),
			...insertInChunks(db, endpoints, added),
		];
		const [first, ...rest] = statements;
		if (first) await db.batch([first, ...rest]).catch(conflictOnDuplicate);
		const endpointsNow = [...kept.map((row) => toView(row)), ...added.map((row) => toView(row, true))];
		return c.json({ endpoints: endpointsNow });
	})
	.delete("/:id", async (c) => {
		const db = database(c.env);
		const id = c.req.param("id");
		if (!(await findEndpoint(db, id))) throw new HttpError(404, `No endpoint with id ${id}.`);
		await db.batch(deleteEndpointsStatements(db, [id]));
		return c.body(null, 204);
	});
