/** The parts of the API reference (reference.tsx) that render the OpenAPI document's pieces: prose, types, a schema's members, parameters. Build time only. */
import type { Child } from "hono/jsx";

export interface Schema {
	$ref?: string;
	type?: string | string[];
	format?: string;
	items?: Schema;
	anyOf?: Schema[];
	enum?: unknown[];
	const?: unknown;
	properties?: Record<string, Schema>;
	required?: string[];
	additionalProperties?: Schema | boolean;
	default?: unknown;
	description?: string;
}

export interface Parameter {
	$ref?: string;
	name: string;
	in: string;
	required?: boolean;
	description?: string;
	schema: Schema;
}

export interface Response {
	$ref?: string;
	description: string;
	content?: Record<string, { schema: Schema; example?: unknown }>;
}

export interface Operation {
	operationId: string;
	tags: string[];
	summary: string;
	description?: string;
	parameters?: Parameter[];
	requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
	security?: Record<string, string[]>[];
	responses: Record<string, Response>;
}

export const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

/** `code` spans and **bold**: the Markdown the document's prose uses within a paragraph. */
export function Inline({ text }: { text?: string }) {
	return (
		<>
			{(text ?? "")
				.split(/(`[^`]+`|\*\*[^*]+\*\*)/)
				.map((part) =>
					part.startsWith("`") ? <code>{part.slice(1, -1)}</code> : part.startsWith("**") ? <strong>{part.slice(2, -2)}</strong> : part,
				)}
		</>
	);
}

/** Paragraphs of Inline text. */
export function Prose({ text }: { text?: string }) {
	if (!text) return null;
	return (
		<>
			{text.split("\n\n").map((paragraph) => (
				<p>
					<Inline text={paragraph} />
				</p>
			))}
		</>
	);
}

export function Type({ schema }: { schema: Schema }): Child {
	if (schema.$ref) return <a href={`#schema-${refName(schema.$ref)}`}>{refName(schema.$ref)}</a>;
	if (schema.const !== undefined) return <code>{JSON.stringify(schema.const)}</code>;
	if (schema.enum) {
		const values = schema.enum.map((value, i) => [i ? ", " : "", <code>{String(value)}</code>]);
		if (schema.enum.length <= 6) return <>one of {values}</>;
		return (
			<details>
				<summary>one of {schema.enum.length} values</summary>
				{values}
			</details>
		);
	}
	if (schema.anyOf) return <>{schema.anyOf.map((option, i) => [i ? " or " : "", <Type schema={option} />])}</>;
	if (Array.isArray(schema.type)) return schema.type.join(" or ");
	if (schema.type === "array" && schema.items)
		return (
			<>
				list of <Type schema={schema.items} />
			</>
		);
	if (schema.type === "object" && typeof schema.additionalProperties === "object")
		return (
			<>
				object of <Type schema={schema.additionalProperties} />
			</>
		);
	return `${schema.type ?? "any"}${schema.format ? ` (${schema.format})` : ""}`;
}

/** A schema's members: name, type, whether required, what it means. */
export function Fields({ schema }: { schema: Schema }) {
	const properties = Object.entries(schema.properties ?? {});
	if (!properties.length) return null;
	return (
		<div class="table-wrap">
			<table>
				<thead>
					<tr>
						<th scope="col">Member</th>
						<th scope="col">Type</th>
						<th scope="col">Description</th>
					</tr>
				</thead>
				<tbody>
					{properties.map(([name, member]) => (
						<tr>
							<td>
								<code>{name}</code>
								{schema.required?.includes(name) ? <small> required</small> : null}
							</td>
							<td>
								<Type schema={member} />
								{member.default !== undefined && <small> (default {JSON.stringify(member.default)})</small>}
							</td>
							<td>
								<Inline text={member.description} />
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

export function ParameterList({ parameters }: { parameters: Parameter[] }) {
	return (
		<ul>
			{parameters.map((parameter) => (
				<li>
					<code>{parameter.name}</code>{" "}
					<small>
						({parameter.in}
						{parameter.required ? ", required" : ""})
					</small>{" "}
					<Type schema={parameter.schema} />: <Inline text={parameter.description} />
				</li>
			))}
		</ul>
	);
}
