/**
 * The API reference the operator reads at /admin/api, rendered from the
 * OpenAPI document: a table of contents that stays in view (every route, its
 * method in colour); operations by tag (method, path, summary, parameters,
 * request body fields, success responses, error codes, a `curl` example and
 * an example response), each per-account twin listed as a route of its own
 * right after its default-account operation; the webhooks (the event catalog,
 * ticket events and operational messages), and the schemas. Plain HTML,
 * nothing from other sites.
 *
 * Build time only, like the document: `npm run openapi` writes it into
 * static/api/reference.html, and the Worker puts that into its layout (the
 * rendering would be 6 KB of the Worker's bundle).
 */
import type { OpenApiDocument } from "../api/openapiDocument";
import { Examples } from "./referenceExamples";
import {
	Fields,
	Inline,
	type Operation,
	type Parameter,
	ParameterList,
	Prose,
	type Response,
	refName,
	type Schema,
	Type,
} from "./referenceParts";

/** An operation as the page lists it, with its per-account twin. */
type Listed = { method: string; path: string; op: Operation; twin?: { path: string; op: Operation } };

/** A route's heading: method, path and summary, then its operationId and credentials. */
function RouteHeading(props: { method: string; path: string; op: Operation; doc: OpenApiDocument; summary: string }) {
	const { op, doc } = props;
	return (
		<>
			<h3>
				<code>
					{props.method.toUpperCase()} {props.path}
				</code>{" "}
				{props.summary}
			</h3>
			<p>
				<small>
					operationId <code>{op.operationId}</code> · {credentials(op.security ?? doc.security ?? [])}
				</small>
			</p>
		</>
	);
}

function OperationEntry({ entry, doc }: { entry: Listed; doc: OpenApiDocument }) {
	const { op } = entry;
	const deref = <T,>(value: T & { $ref?: string }, kind: string): T =>
		value.$ref ? (doc.components[kind][refName(value.$ref)] as T) : value;
	const parameters = (op.parameters ?? []).map((parameter) => deref(parameter, "parameters"));
	const body = op.requestBody?.content["application/json"]?.schema;
	const statuses = Object.entries(op.responses);
	return (
		<section class={`card method-${entry.method}`} id={op.operationId}>
			<RouteHeading method={entry.method} path={entry.path} op={op} doc={doc} summary={op.summary} />
			<Prose text={op.description} />
			<Examples method={entry.method} path={entry.path} op={op} doc={doc} />
			{parameters.length > 0 && (
				<>
					<h4>Parameters</h4>
					<ParameterList parameters={parameters} />
				</>
			)}
			{body && (
				<>
					<h4>
						Request body: <Type schema={body} />
					</h4>
					<Fields schema={deref(body, "schemas")} />
				</>
			)}
			<h4>Responses</h4>
			<ul>
				{statuses
					.filter(([status]) => Number(status) < 400)
					.map(([status, response]) => {
						const schema = response.content?.["application/json"]?.schema;
						return (
							<li>
								<b>{status}</b> <Inline text={response.description} />
								{schema && (
									<>
										{" "}
										<Type schema={schema} />
									</>
								)}
							</li>
						);
					})}
			</ul>
			<h4>Errors</h4>
			<ul>
				{statuses
					.filter(([status]) => Number(status) >= 400)
					.flatMap(([status, response]) =>
						deref(response, "responses")
							.description.split("\n\n")
							.map((line) => (
								<li>
									<b>{status}</b> <Inline text={line} />
								</li>
							)),
					)}
			</ul>
		</section>
	);
}

/** A per-account twin, as a route of its own: what differs from its default-account operation, and its example. */
function TwinEntry({ entry, doc }: { entry: Listed & { twin: { path: string; op: Operation } }; doc: OpenApiDocument }) {
	const { path, op } = entry.twin;
	return (
		<section class={`card method-${entry.method}`} id={op.operationId}>
			<RouteHeading method={entry.method} path={path} op={op} doc={doc} summary={`${op.summary}, in any account`} />
			<p>
				The same as <a href={`#${entry.op.operationId}`}>{`${entry.method.toUpperCase()} ${entry.path}`}</a>, for the account whose uid is
				in the path (a 404 when there is none).
			</p>
			<Examples method={entry.method} path={path} op={op} doc={doc} />
		</section>
	);
}

/** Every route, by tag, each with its method: the table of contents, kept in view beside the reference. */
function Contents({ doc, tags }: { doc: OpenApiDocument; tags: Map<string, Listed[]> }) {
	const link = (method: string, path: string, id: string) => (
		<li>
			<a href={`#${id}`} class={`method-${method}`}>
				<b>{method.toUpperCase()}</b> {path}
			</a>
		</li>
	);
	return (
		<nav class="toc" aria-label="Contents">
			{doc.tags
				.filter((tag) => tag.name !== "Webhooks")
				.map((tag) => (
					<>
						<a href={`#tag-${tag.name}`}>{tag.name}</a>
						<ul>
							{tags
								.get(tag.name)
								?.flatMap((entry) => [
									link(entry.method, entry.path, entry.op.operationId),
									entry.twin ? link(entry.method, entry.twin.path, entry.twin.op.operationId) : null,
								])}
						</ul>
					</>
				))}
			<a href="#tag-Webhooks">Webhooks</a>
			<br />
			<a href="#tag-Schemas">Schemas</a>
		</nav>
	);
}

function credentials(security: Record<string, string[]>[]): string {
	return security.length ? `credentials: ${security.flatMap((option) => Object.keys(option)).join(" or ")}` : "public";
}

/** Operations by tag; a per-account twin (`/api/accounts/{uid}/…`, `/accounts/{uid}/events`) goes with its default-account operation. */
function byTag(doc: OpenApiDocument): Map<string, Listed[]> {
	const tags = new Map(doc.tags.map((tag) => [tag.name, [] as Listed[]]));
	const twins = new Map<string, { path: string; op: Operation }>();
	for (const [path, item] of Object.entries(doc.paths)) {
		const primary = path.replace(
			/^\/api\/accounts\/\{uid\}(?=\/(endpoints|deliveries|events|stats))|^\/accounts\/\{uid\}(?=\/events$)/,
			path.startsWith("/api") ? "/api" : "",
		);
		for (const [method, op] of Object.entries(item) as [string, Operation][]) {
			if (primary !== path && doc.paths[primary]?.[method]) twins.set(`${method} ${primary}`, { path, op });
			else tags.get(op.tags[0])?.push({ method, path, op });
		}
	}
	for (const list of tags.values()) for (const entry of list) entry.twin = twins.get(`${entry.method} ${entry.path}`);
	return tags;
}

/** The reference's HTML, for the page's main part (h1 included). */
export function referenceHtml(doc: OpenApiDocument): string {
	return String(<ApiReference doc={doc} />);
}

function ApiReference({ doc }: { doc: OpenApiDocument }) {
	const tags = byTag(doc);
	const webhooks = Object.entries(doc.webhooks).map(([name, item]) => [name, item.post as Operation] as const);
	const first = webhooks[0]?.[1];
	return (
		<div class="reference">
			<Contents doc={doc} tags={tags} />
			<div>
				<h1>API reference</h1>
				<section class="card">
					<p>
						{doc.info.title} {doc.info.version} · OpenAPI {doc.openapi}: <a href="/api/openapi.json">/api/openapi.json</a> (generate clients
						from it)
					</p>
					<Prose text={doc.info.description} />
					<nav aria-label="Sections">
						{[...doc.tags.map((tag) => tag.name), "Schemas"].map((name, i) => [i ? " · " : "", <a href={`#tag-${name}`}>{name}</a>])}
					</nav>
				</section>
				{doc.tags
					.filter((tag) => tag.name !== "Webhooks")
					.map((tag) => (
						<>
							<h2 id={`tag-${tag.name}`}>{tag.name}</h2>
							<Prose text={tag.description} />
							{tags.get(tag.name)?.map((entry) => (
								<>
									<OperationEntry entry={entry} doc={doc} />
									{entry.twin && <TwinEntry entry={{ ...entry, twin: entry.twin }} doc={doc} />}
								</>
							))}
						</>
					))}
				<h2 id="tag-Webhooks">Webhooks: the event catalog</h2>
				<Prose text={doc.tags.find((tag) => tag.name === "Webhooks")?.description} />
				{first && (
					<section class="card">
						<h4>Headers</h4>
						<ParameterList
							parameters={(first.parameters ?? []).map((p) => doc.components.parameters[refName(p.$ref ?? "")] as Parameter)}
						/>
						<h4>Answers</h4>
						<ul>
							{Object.entries(first.responses)
								.sort(([a], [b]) => a.localeCompare(b))
								.map(([status, response]) => (
									<li>
										<b>{status}</b> <Inline text={(doc.components.responses[refName(response.$ref ?? "")] as Response).description} />
									</li>
								))}
						</ul>
					</section>
				)}
				<section class="card">
					<div class="table-wrap">
						<table>
							<thead>
								<tr>
									<th scope="col">Event type</th>
									<th scope="col">Body</th>
								</tr>
							</thead>
							<tbody>
								{webhooks.map(([name, op]) => {
									const content = op.requestBody?.content["application/json"];
									return (
										<tr id={`webhook-${name}`}>
											<td>
												<code>{name}</code>
											</td>
											<td>
												<Inline text={content?.schema.properties?.payload?.description ?? op.description} />
												<details>
													<summary>{name.startsWith("ticket.") || content?.schema.properties?.payload ? "Sample" : "Example"}</summary>
													<pre>{JSON.stringify(content?.example, null, 2)}</pre>
												</details>
											</td>
										</tr>
									);
								})}
							</tbody>
						</table>
					</div>
				</section>
				<h2 id="tag-Schemas">Schemas</h2>
				{Object.entries(doc.components.schemas as Record<string, Schema>).map(([name, schema]) => (
					<section class="card" id={`schema-${name}`}>
						<h3>{name}</h3>
						<Prose text={schema.description} />
						<Fields schema={schema} />
					</section>
				))}
			</div>
		</div>
	);
}
