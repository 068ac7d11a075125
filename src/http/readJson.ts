/**
 * Reads and validates a JSON request body (or a query string, or a form) against a zod
 * schema, mapping problems onto the one error shape: unreadable JSON or a
 * missing required member is a 400, a present but invalid value a 422, each
 * naming the field.
 */
import type { Context } from "hono";
import type * as z from "zod/mini";
import { HttpError } from "./errors";

export async function readJson<Schema extends z.ZodMiniType>(
	c: Context,
	schema: Schema,
	{ optional = false }: { optional?: boolean } = {},
): Promise<z.infer<Schema>> {
	const text = await c.req.text();
	// Where the route allows it, no body is `{}`: all defaults, or a required member reported missing (400 naming it).
	if (optional && text.trim() === "") return validateInput({}, schema, "body");
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		throw new HttpError("invalid_json", "The body is not valid JSON. Send a JSON object with `Content-Type: application/json`.");
	}
	return validateInput(body, schema, "body");
}

/** The query string's parameters, validated like a body. */
export function readQuery<Schema extends z.ZodMiniObject>(c: Context, schema: Schema): z.infer<Schema> {
	refuseRepeated(c, schema);
	return validateInput(c.req.query(), schema, "query");
}

/** Each query parameter `schema` takes may be given once: of two values, one would go unread. */
export function refuseRepeated(c: Context, schema: z.ZodMiniObject): void {
	const repeated = Object.keys(schema.shape).filter((name) => (c.req.queries(name)?.length ?? 0) > 1);
	if (!repeated.length) return;
	const fields = Object.fromEntries(repeated.map((name) => [name, "given more than once"]));
	throw new HttpError("validation_failed", `Invalid request query (give ${repeated.join(", ")} once).`, fields);
}

/** Validates input already read (a body, a query, a submitted form), with the same mapping onto the error shape. */
export function validateInput<Schema extends z.ZodMiniType>(
	body: unknown,
	schema: Schema,
	what: "body" | "query" | "form",
): z.infer<Schema> {
	const parsed = schema.safeParse(body);
	if (parsed.success) return parsed.data;
	const fields: Record<string, string> = {};
	let missing = false;
	for (const issue of parsed.error.issues) {
		const name = issue.path.map(String).join(".") || what;
		const isMissing = valueAt(body, issue.path) === undefined;
		missing ||= isMissing;
		// The whole input is not an object (`[]`, `null`, a number): say what it must be.
		const notAnObject = issue.path.length === 0 && issue.code === "invalid_type";
		fields[name] ??= isMissing ? "required" : notAnObject ? "must be a JSON object" : issue.message;
	}
	const summary = Object.entries(fields)
		.map(([name, problem]) => `${name}: ${problem}`)
		.join("; ");
	throw new HttpError(missing ? "missing_field" : "validation_failed", `Invalid request ${what} (${summary}).`, fields);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
	let current = value;
	for (const key of path) {
		if (typeof current !== "object" || current === null) return undefined;
		current = (current as Record<PropertyKey, unknown>)[key];
	}
	return current;
}
