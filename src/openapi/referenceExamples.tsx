/**
 * The examples of the API reference (reference.tsx): for each route a `curl`
 * line (with its request body's example, or one made from its schema) and an
 * example response, made from the response's schema where the document gives
 * none. Build time only.
 */
import type { OpenApiDocument } from "../api/openapiDocument";
import { type Operation, refName, type Schema } from "./referenceParts";

/** Placeholder values a made-up example uses, by member name first, then by type. */
const BY_NAME: Record<string, unknown> = {
	id: "ep_01a24b26a09c75f888bcd4169e5c",
	url: "https://hooks.acme.example/supportbee",
	uid: "acme",
	secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};

/** An example value of `schema`, following `$ref`s (at most a few levels deep). */
export function exampleOf(schema: Schema, doc: OpenApiDocument, depth = 0): unknown {
	if (schema.$ref) return depth > 4 ? {} : exampleOf(doc.components.schemas[refName(schema.$ref)] as Schema, doc, depth + 1);
	if (schema.default !== undefined) return schema.default;
	if (schema.const !== undefined) return schema.const;
	if (schema.enum) return schema.enum[0];
	if (schema.anyOf) return exampleOf(schema.anyOf.find((option) => option.type !== "null") ?? schema.anyOf[0], doc, depth);
	const type = Array.isArray(schema.type) ? schema.type.find((name) => name !== "null") : schema.type;
	if (type === "object") {
		if (!schema.properties) return {};
		return Object.fromEntries(
			Object.entries(schema.properties).map(([name, member]) => [name, BY_NAME[name] ?? exampleOf(member, doc, depth + 1)]),
		);
	}
	if (type === "array") return schema.items ? [exampleOf(schema.items, doc, depth + 1)] : [];
	if (type === "integer" || type === "number") return 1;
	if (type === "boolean") return true;
	if (schema.format === "date-time") return "2026-11-20T09:00:00.000Z";
	return type === "null" ? null : "…";
}

/** The credentials a `curl` line sends: the ingest token for ingest, none for public routes, else the admin token. */
function authHeader(op: Operation, doc: OpenApiDocument): string | null {
	const security = op.security ?? doc.security ?? [];
	if (!security.length) return null;
	return security.some((option) => "ingestToken" in option) ? "Bearer $INGEST_TOKEN" : "Bearer $ADMIN_TOKEN";
}

/** A `curl` line for the route, its path parameters as placeholders (`{uid}` → acme). */
export function curlLine(method: string, path: string, op: Operation, doc: OpenApiDocument): string {
	const url = `$HIVEPOST${path.replace("{uid}", "acme").replace("{id}", String(BY_NAME.id))}`;
	const auth = authHeader(op, doc);
	const content = op.requestBody?.content["application/json"];
	const body = content ? (content.example ?? exampleOf(content.schema, doc)) : undefined;
	return [
		`curl -X ${method.toUpperCase()} "${url}"`,
		...(auth ? [`-H "Authorization: ${auth}"`] : []),
		...(body === undefined ? [] : ['-H "Content-Type: application/json"', `-d '${JSON.stringify(body)}'`]),
	].join(" \\\n  ");
}

/** The first success's example body, or null for one without (a 204). */
export function exampleResponse(op: Operation, doc: OpenApiDocument): { status: string; body: unknown } | null {
	const [status, response] = Object.entries(op.responses).find(([code]) => Number(code) < 400) ?? [];
	const content = status && response?.content?.["application/json"];
	if (!status || !content) return null;
	return { status, body: content.example ?? exampleOf(content.schema, doc) };
}

/** A route's curl line and example response, as the reference shows them. */
export function Examples({ method, path, op, doc }: { method: string; path: string; op: Operation; doc: OpenApiDocument }) {
	const response = exampleResponse(op, doc);
	return (
		<details>
			<summary>Example</summary>
			<pre>{curlLine(method, path, op, doc)}</pre>
			{response && (
				<>
					<p>
						<small>Answer {response.status}:</small>
					</p>
					<pre>{JSON.stringify(response.body, null, 2)}</pre>
				</>
			)}
		</details>
	);
}
