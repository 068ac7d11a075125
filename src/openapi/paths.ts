/**
 * Operations into the document's path items: each with the parameters, body
 * and responses it names, and the error responses of its surface and its own,
 * shared as components. Build time only.
 */
import type * as z from "zod/mini";
import { ERROR_STATUS, type ErrorCode } from "../http/errors";
import { jsonSchema } from "./componentSchemas";
import { ERROR_DESCRIPTIONS, SURFACE_NOTES, surfaceErrors, UNBOUND_DATABASE_NOTE } from "./errorCatalogue";
import { type Json, json, type Operation, ref, type Samples, type Surface } from "./operations";

const SUFFIXES: Record<Surface, string> = { operator: "", accounts: "Accounts", ingest: "Ingest", public: "" };

const pascal = (code: string) => code.replace(/(^|_)([a-z])/g, (_, _sep, letter: string) => letter.toUpperCase());

/**
 * The error responses, shared as components: one per status, set of codes and
 * wording, named after its codes (`InvalidJsonOrMissingField`), with a suffix
 * where the same codes are worded for another context (`UnauthorizedIngest`).
 */
export class ErrorResponses {
	readonly components: Record<string, Json> = {};
	private readonly names = new Map<string, string>();

	/** Refs to the responses for `codes`, by status. */
	refs(codes: ErrorCode[], notes: Partial<Record<ErrorCode, string>>, suffixes: string[]): Record<string, Json> {
		const byStatus = new Map<number, ErrorCode[]>();
		for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
		const result: Record<string, Json> = {};
		for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
			result[status] = { $ref: `#/components/responses/${this.nameFor(status, list, notes, suffixes)}` };
		}
		return result;
	}

	private nameFor(status: number, codes: ErrorCode[], notes: Partial<Record<ErrorCode, string>>, suffixes: string[]): string {
		const response = {
			description: codes.map((code) => `\`${code}\`: ${notes[code] ?? ERROR_DESCRIPTIONS[code]}`).join("\n\n"),
			...(status === 401
				? { headers: { "WWW-Authenticate": { description: '`Bearer realm="hivepost"`', schema: { type: "string" } } } }
				: {}),
			...(status === 429
				? {
						headers: {
							"Retry-After": { description: "Seconds until the next manual action is allowed.", schema: { type: "integer", minimum: 1 } },
						},
					}
				: {}),
			content: json({ allOf: [ref("schemas", "Error"), { properties: { code: { enum: codes } } }] }),
		};
		const key = JSON.stringify(response);
		const known = this.names.get(key);
		if (known) return known;
		const base = codes.map(pascal).join("Or");
		const name = [base, ...suffixes.map((_, i) => base + suffixes.slice(0, i + 1).join(""))].find(
			(candidate) => !this.components[candidate],
		);
		if (!name) throw new Error(`no name left for the error response ${key}`);
		this.components[name] = response;
		this.names.set(key, name);
		return name;
	}
}

/** The query schema's members as OpenAPI parameters (all optional), their descriptions lifted out of the schemas. */
function queryParameters(schema: z.ZodMiniObject): Json[] {
	const { properties = {} } = jsonSchema(schema, "input") as { properties?: Record<string, Json> };
	return Object.entries(properties).map(([name, { description, ...property }]) => ({
		name,
		in: "query",
		required: false,
		...(description ? { description } : {}),
		schema: property,
	}));
}

export function operationObject(op: Operation, surface: Surface, twin: boolean, errors: ErrorResponses, samples: Samples): Json {
	const codes = [
		...surfaceErrors(surface, op.method),
		...(op.errors ?? []),
		...(twin ? ["not_found" as const, ...(op.twinErrors ?? [])] : []),
	];
	const notes = {
		...SURFACE_NOTES[surface],
		...op.notes,
		...(twin
			? {
					not_found: op.errors?.includes("not_found") ? "No account with that uid, or no such id in it." : "No account with that uid.",
					not_configured: `${SURFACE_NOTES[surface].not_configured} ${UNBOUND_DATABASE_NOTE}`,
				}
			: {}),
	};
	const parameters = [
		...(twin ? [ref("parameters", "Uid")] : []),
		...(op.parameters ?? []),
		...(op.query ? queryParameters(op.query) : []),
	];
	const successes = Object.entries(op.success).map(([status, success]) => [
		status,
		{
			description: success.description,
			...(success.headers ? { headers: success.headers } : {}),
			...(success.schema ? { content: json(ref("schemas", success.schema)) } : {}),
		},
	]);
	return {
		operationId: twin ? op.id.replace(/^[a-z]+/, (verb) => `${verb}Account`) : op.id,
		tags: [op.tag],
		summary: op.summary,
		...(op.description ? { description: op.description } : {}),
		...(surface === "ingest" ? { security: [{ ingestToken: [] }, { supportBeeKey: [] }] } : surface === "public" ? { security: [] } : {}),
		...(parameters.length ? { parameters } : {}),
		...(op.body
			? {
					requestBody: {
						required: !op.bodyOptional,
						content: json(ref("schemas", op.body), op.bodyExample ? JSON.parse(samples[op.bodyExample]) : undefined),
					},
				}
			: {}),
		responses: {
			...Object.fromEntries(successes),
			...errors.refs([...new Set(codes)], notes, [SUFFIXES[surface], twin ? "InAccount" : "", pascal(op.id)].filter(Boolean)),
		},
	};
}
