/**
 * The OpenAPI document: committed and current (and so is the error-code
 * table docs/api.md includes), valid OpenAPI 3.1 (checked with
 * @readme/openapi-parser), covering every JSON route the app serves, and
 * true to real responses (checked with Ajv against the documented schemas).
 *
 * @readme/openapi-parser runs here, inside workerd, with the other tests: it
 * needs no Node built-in (its schemas are JS modules, files and URLs are only
 * read when asked), and Ajv's compiled validators run in the test runtime.
 */
import { validate } from "@readme/openapi-parser";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../../src/api/openapiDocument";
import { app } from "../../src/app";
import { EVENT_TYPES, type EventType } from "../../src/eventTypes";
import { ERROR_CODES, ERROR_STATUS } from "../../src/http/errors";
import { buildOpenApiDocument } from "../../src/openapi/build";
import DESCRIPTION from "../../src/openapi/description.md?raw";
import { withErrorCodeTable } from "../../src/openapi/errorCatalogue";
import { referenceHtml } from "../../src/openapi/reference";
import { OPERATIONAL_EVENT_TYPES } from "../../src/operationalEventTypes";
import { createAccount, fixture, ingest, operatorHeaders, request, runConsumer, stubDestination } from "../helpers/worker";

const STALE = "static/api/openapi.json is stale: run `npm run openapi` and commit it";

// The reference page's HTML as committed, if it is.
const REFERENCE = import.meta.glob<string>("../../static/api/reference.html", { query: "?raw", import: "default", eager: true })[
	"../../static/api/reference.html"
];

// docs/api.md as committed, if it is (import.meta.glob finds nothing rather than failing when it is not).
const DOCS = import.meta.glob<string>("../../docs/api.md", { query: "?raw", import: "default", eager: true })["../../docs/api.md"];

/** The document as the Worker serves it (the committed static asset). */
async function servedDocument(): Promise<OpenApiDocument> {
	const { response } = await request("/api/openapi.json");
	expect(response.status).toBe(200);
	expect(response.headers.get("content-type")).toContain("application/json");
	return response.json();
}

type Operation = {
	operationId: string;
	tags: string[];
	summary: string;
	responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
};

function operations(doc: OpenApiDocument): { method: string; path: string; op: Operation }[] {
	return Object.entries(doc.paths).flatMap(([path, item]) =>
		Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
	);
}

describe("the OpenAPI document", () => {
	it("is the one the schemas make today (npm run openapi)", async () => {
		const samples = Object.fromEntries(EVENT_TYPES.map((type) => [type, fixture(type)])) as Record<EventType, string>;
		const fresh = buildOpenApiDocument({ samples, description: DESCRIPTION });
		expect(await servedDocument(), STALE).toEqual(fresh);
		expect(fresh.servers).toEqual([{ url: "/" }]);
	});

	it("comes with the reference the operator's page shows, rendered from it (npm run openapi)", async () => {
		expect(REFERENCE, "static/api/reference.html is stale: run `npm run openapi` and commit it").toBe(
			`${referenceHtml(await servedDocument())}\n`,
		);
	});

	it("comes with the error-code table docs/api.md includes, as today's codes make it (npm run openapi)", () => {
		expect(
			DOCS,
			"docs/api.md is missing: it includes the error-code table, between <!-- error-codes:start --> and <!-- error-codes:end -->",
		).toBeDefined();
		expect(withErrorCodeTable(DOCS as string), "the error-code table in docs/api.md is stale: run `npm run openapi` and commit it").toBe(
			DOCS,
		);
	});

	it("is valid OpenAPI 3.1", async () => {
		const doc = await servedDocument();
		expect(doc.openapi).toBe("3.1.0");
		const result = await validate(doc as never);
		expect(result.valid ? [] : result.errors.map((error) => error.message)).toEqual([]);
		expect(result.warnings).toEqual([]);
	});

	it("documents every JSON route the app serves, and nothing else", async () => {
		const served = app.routes
			.filter((route) => route.method !== "ALL" && !/^\/(admin|portal|assets)(\/|$)/.test(route.path))
			.map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
		const documented = operations(await servedDocument()).map(({ method, path }) => `${method} ${path}`);
		expect(new Set(documented)).toEqual(new Set(served));
		expect(documented.length).toBe(new Set(documented).size);
	});

	it("gives every operation a unique operationId, a tag, a summary, a schema for each success, and only real error codes", async () => {
		const doc = await servedDocument();
		const all = [
			...operations(doc),
			...Object.entries(doc.webhooks).map(([path, item]) => ({ method: "WEBHOOK", path, op: item.post as Operation })),
		];
		const tags = doc.tags.map((tag) => tag.name);
		for (const { method, path, op } of all) {
			const where = `${method} ${path}`;
			expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
			expect(tags, where).toContain(op.tags[0]);
			expect(op.summary, where).toBeTruthy();
			for (const [status, response] of Object.entries(op.responses)) {
				const resolved = response.$ref
					? (doc.components.responses[response.$ref.split("/").pop() as string] as typeof response & { description: string })
					: response;
				if (/^2/.test(status) && status !== "204" && status !== "2XX")
					expect(resolved.content?.["application/json"]?.schema, `${where} ${status}`).toBeTruthy();
				// Every error answer is the one error shape, its `code` narrowed to codes of that status (a webhook's 410 is the receiver's answer).
				if (Number(status) >= 400 && method !== "WEBHOOK") {
					const schema = resolved.content?.["application/json"]?.schema as {
						allOf: [unknown, { properties: { code: { enum: string[] } } }];
					};
					expect(schema.allOf[0], `${where} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
					for (const code of schema.allOf[1].properties.code.enum) {
						expect(ERROR_CODES, `${where} ${status}`).toContain(code);
						expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], `${where} ${code}`).toBe(Number(status));
					}
				}
			}
		}
		const ids = all.map(({ op }) => op.operationId);
		expect(ids.length).toBe(new Set(ids).size);
		expect(ids).toContain("listEndpoints");
		expect(ids).toContain("listAccountEndpoints");
		expect((doc.components.schemas.Error as { properties: { code: { enum: string[] } } }).properties.code.enum).toEqual(ERROR_CODES);
	});

	it("has the four operational messages beside the 16 ticket events, each example valid against its schema", async () => {
		const doc = await servedDocument();
		expect(Object.keys(doc.webhooks)).toEqual([...EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES]);
		const ajv = new Ajv2020({ strict: false });
		for (const type of OPERATIONAL_EVENT_TYPES) {
			const body = (
				doc.webhooks[type].post as { requestBody: { content: { "application/json": { schema: object; example: { type: string } } } } }
			).requestBody.content["application/json"];
			expect(body.example.type, type).toBe(type);
			expect(ajv.validate(body.schema, body.example), `${type}: ${ajv.errorsText()}`).toBe(true);
			expect(ajv.validate(body.schema, { ...body.example, type: "ticket.created" }), type).toBe(false);
		}
	});

	it("has one webhook per event type, with its sample, the signature headers and the 2xx", async () => {
		const doc = await servedDocument();
		const created = doc.webhooks["ticket.created"].post as {
			parameters: { $ref: string }[];
			requestBody: { content: { "application/json": { schema: unknown; example: unknown } } };
			responses: Record<string, unknown>;
		};
		expect(created.requestBody.content["application/json"].example).toEqual(JSON.parse(fixture("ticket.created")));
		expect(created.parameters.map((p) => (doc.components.parameters[p.$ref.split("/").pop() as string] as { name: string }).name)).toEqual(
			expect.arrayContaining(["webhook-id", "webhook-timestamp", "webhook-signature"]),
		);
		expect(created.responses).toHaveProperty("2XX");
		const ajv = new Ajv2020({ strict: false });
		expect(ajv.validate(created.requestBody.content["application/json"].schema as object, JSON.parse(fixture("ticket.created")))).toBe(
			true,
		);
		expect(ajv.validate(created.requestBody.content["application/json"].schema as object, JSON.parse(fixture("ticket.trashed")))).toBe(
			false,
		);
	});
});

/** Checks a real response against what the document says `method path` answers with that status. */
async function documentedResponseChecker() {
	const doc = await servedDocument();
	const ajv = new Ajv2020({ strict: false, allErrors: true });
	ajv.addFormat("date-time", { validate: (value: string) => /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)) });
	ajv.addSchema(doc as object, "openapi");
	const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
	return async function expectDocumented(method: string, path: string, response: Response, status: number) {
		const where = `${method} ${path} ${status}`;
		expect(response.status, `${where}: ${await response.clone().text()}`).toBe(status);
		const op = (doc.paths[path]?.[method.toLowerCase()] as Operation | undefined) ?? expect.fail(`${method} ${path} is not documented`);
		const entry = op.responses[String(status)] ?? expect.fail(`${where} is not documented`);
		const base = entry.$ref
			? pointer("components", "responses", entry.$ref.split("/").pop() as string)
			: pointer("paths", path, method.toLowerCase(), "responses", String(status));
		const documented = (entry.$ref ? doc.components.responses[entry.$ref.split("/").pop() as string] : entry) as {
			headers?: Record<string, { schema: { const?: string } }>;
		};
		for (const [name, header] of Object.entries(documented.headers ?? {})) {
			if (header.schema.const !== undefined) expect(response.headers.get(name), `${where} ${name}`).toBe(header.schema.const);
			else expect(response.headers.has(name), `${where} ${name}`).toBe(true);
		}
		if (status === 204) return;
		const validateBody = ajv.getSchema(`openapi#/${base}/${pointer("content", "application/json", "schema")}`);
		if (!validateBody) return expect.fail(`${where} has no schema`);
		const body = await response.json();
		expect(validateBody(body) ? [] : validateBody.errors, `${where}: ${JSON.stringify(body)}`).toEqual([]);
	};
}

describe("real responses match the documented schemas", () => {
	it("for the endpoints, deliveries, events, stats and accounts APIs", async () => {
		const expectDocumented = await documentedResponseChecker();
		const call = async (method: string, path: string, documented: string, status: number, body?: unknown) => {
			const { response } = await request(path, {
				method,
				headers: operatorHeaders,
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			await expectDocumented(method, documented, response.clone(), status);
			// biome-ignore lint/suspicious/noExplicitAny: a response body, read for ids only
			return (response.status === 204 ? {} : await response.json()) as Record<string, any>;
		};

		const endpoint = await call("POST", "/api/endpoints", "/api/endpoints", 201, {
			url: "https://a.example/hook",
			headers: { Authorization: "Bearer receiver-token-1234" },
		});
		await call("POST", "/api/endpoints", "/api/endpoints", 201, { url: "https://b.example/hook", events: ["ticket.created"] });
		await call("GET", "/api/endpoints", "/api/endpoints", 200);
		await call("GET", `/api/endpoints/${endpoint.id}`, "/api/endpoints/{id}", 200);
		await call("PATCH", `/api/endpoints/${endpoint.id}`, "/api/endpoints/{id}", 200, { events: ["*"] });
		await call("GET", `/api/endpoints/${endpoint.id}/secret`, "/api/endpoints/{id}/secret", 200);
		await call("POST", `/api/endpoints/${endpoint.id}/rotate-secret`, "/api/endpoints/{id}/rotate-secret", 200);

		// A delivery with attempts: a's answers 500, then Retry now gets a 200.
		const { queue } = await ingest(fixture("ticket.created"));
		let answer = 500;
		stubDestination(() => new Response("no", { status: answer }));
		await runConsumer(queue.messages.map((message) => message.deliveryId));
		answer = 200;
		const page = await call("GET", "/api/deliveries", "/api/deliveries", 200);
		const failed = (page.deliveries as { id: string; endpoint_id: string }[]).find((d) => d.endpoint_id === endpoint.id);
		await call("POST", `/api/deliveries/${failed?.id}/retry`, "/api/deliveries/{id}/retry", 200);
		const detail = await call("GET", `/api/deliveries/${failed?.id}`, "/api/deliveries/{id}", 200);
		expect(detail.attempts).toHaveLength(2);
		await call("GET", "/api/deliveries?status=delivered", "/api/deliveries", 200);
		const events = await call("GET", "/api/events", "/api/events", 200);
		await call("GET", `/api/events/${(events.events as { id: string }[])[0].id}`, "/api/events/{id}", 200);
		await call("GET", "/api/stats", "/api/stats", 200);
		await call("POST", `/api/endpoints/${endpoint.id}/test`, "/api/endpoints/{id}/test", 202, { action_type: "comment.created" });
		await call("POST", `/api/endpoints/${endpoint.id}/redeliver`, "/api/endpoints/{id}/redeliver", 202, { since: "2026-01-01T00:00:00Z" });
		await call("PUT", "/api/endpoints", "/api/endpoints", 200, { urls: "https://a.example/hook, https://c.example/hook" });
		await call("DELETE", `/api/endpoints/${endpoint.id}`, "/api/endpoints/{id}", 204);

		await call("PUT", "/api/accounts/openapi-acme", "/api/accounts/{uid}", 201, { name: "Acme" });
		await call("PUT", "/api/accounts/openapi-acme", "/api/accounts/{uid}", 200, {});
		await call("POST", "/api/accounts/openapi-acme/endpoints", "/api/accounts/{uid}/endpoints", 201, { url: "https://acme.example/hook" });
		await call("GET", "/api/accounts/openapi-acme/endpoints", "/api/accounts/{uid}/endpoints", 200);
		await call("GET", "/api/accounts/openapi-acme/stats", "/api/accounts/{uid}/stats", 200);
		await call("GET", "/api/accounts?prefix=openapi-", "/api/accounts", 200);
		await call("GET", "/api/accounts/openapi-acme", "/api/accounts/{uid}", 200);
		await call("POST", "/api/accounts/openapi-acme/admin-links", "/api/accounts/{uid}/admin-links", 201, { expires_in: 60 });
		await call("DELETE", "/api/accounts/openapi-acme/sessions", "/api/accounts/{uid}/sessions", 204);
		await call("DELETE", "/api/accounts/openapi-acme", "/api/accounts/{uid}", 204);
	});

	it("for ingest, health, and the errors", async () => {
		const expectDocumented = await documentedResponseChecker();
		const body = fixture("ticket.created");
		await expectDocumented("POST", "/events", (await ingest(body, { headers: { "idempotency-key": "openapi-1" } })).response, 202);
		await expectDocumented("POST", "/events", (await ingest(body, { headers: { "idempotency-key": "openapi-1" } })).response, 200);
		await createAccount("openapi-ingest");
		await expectDocumented("POST", "/accounts/{uid}/events", (await ingest(body, { account: "openapi-ingest" })).response, 202);
		await expectDocumented("POST", "/accounts/{uid}/events", (await ingest(body, { account: "nobody" })).response, 404);
		await expectDocumented("POST", "/events", (await ingest(body, { headers: { "content-type": "text/plain" } })).response, 415);
		await expectDocumented("POST", "/events", (await ingest(body, { headers: { authorization: "Bearer wrong" } })).response, 401);
		await expectDocumented("POST", "/events", (await ingest(body, { env: { INGEST_TOKEN: "" } })).response, 503);
		await expectDocumented("POST", "/events", (await ingest(body, { env: { INGEST_SIGNING_SECRET: "not-a-secret" } })).response, 503);
		await expectDocumented("POST", "/events", (await ingest('{"payload": {"action_type": "ticket.exploded"}}')).response, 422);
		await expectDocumented("GET", "/health", (await request("/health")).response, 200);

		const api = (path: string, init: RequestInit = {}, overrides: Partial<Env> = {}) =>
			request(path, { headers: operatorHeaders, ...init }, { env: overrides }).then(({ response }) => response);
		await expectDocumented("GET", "/api/endpoints/{id}", await api("/api/endpoints/ep_nope"), 404);
		await expectDocumented("GET", "/api/accounts/{uid}/endpoints", await api("/api/accounts/nobody/endpoints"), 404);
		await expectDocumented("GET", "/api/endpoints", await api("/api/endpoints", { headers: {} }), 401);
		await expectDocumented("GET", "/api/endpoints", await api("/api/endpoints", {}, { ADMIN_TOKEN: "" }), 503);
		await expectDocumented("POST", "/api/endpoints", await api("/api/endpoints", { method: "POST", body: "{" }), 400);
		await expectDocumented(
			"POST",
			"/api/endpoints",
			await api("/api/endpoints", { method: "POST", body: '{"url": "http://127.0.0.1/"}' }),
			422,
		);
		await expectDocumented("DELETE", "/api/accounts/{uid}", await api("/api/accounts/default", { method: "DELETE" }), 409);
		const crossSite = await api("/api/endpoints", {
			method: "POST",
			body: "url=https://evil.example/",
			headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
		});
		await expectDocumented("POST", "/api/endpoints", crossSite, 403);
	});
});

describe("GET /admin/api", () => {
	it("shows the reference rendered from the document, in the operator's layout", async () => {
		const { response } = await request("/admin/api", { headers: { authorization: operatorHeaders.authorization } });
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('<a href="/admin/api" aria-current="page">API</a>');
		expect(html).not.toContain("<script");
		expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
		const doc = await servedDocument();
		for (const { op } of operations(doc)) expect(html).toContain(op.operationId);
		for (const eventType of Object.keys(doc.webhooks)) expect(html).toContain(`id="webhook-${eventType}"`);
		expect(html).toContain("<code>POST /api/endpoints</code>");
		expect(html).toContain("csrf_rejected");
		expect(html).toContain('href="#schema-Endpoint"');
	});

	it("lists every route in a table of contents kept in view, each route its own section with its method's colour, a curl line and an example answer", async () => {
		const { response } = await request("/admin/api", { headers: { authorization: operatorHeaders.authorization } });
		const html = await response.text();
		const doc = await servedDocument();
		const toc = /<nav class="toc" aria-label="Contents">(.*?)<\/nav>/s.exec(html)?.[1] ?? "";
		for (const { method, path, op } of operations(doc)) {
			expect(toc, op.operationId).toContain(
				`<a href="#${op.operationId}" class="method-${method.toLowerCase()}"><b>${method.toUpperCase()}</b> ${path}</a>`,
			);
			const section = new RegExp(`<section class="card method-${method.toLowerCase()}" id="${op.operationId}">(.*?)</section>`, "s").exec(
				html,
			)?.[1];
			expect(section, op.operationId).toContain(`<code>${method.toUpperCase()} ${path}</code>`);
			const url = path.replace("{uid}", "acme").replace("{id}", "ep_01a24b26a09c75f888bcd4169e5c");
			expect(section, op.operationId).toContain(`<pre>curl -X ${method.toUpperCase()} &quot;$HIVEPOST${url}&quot;`);
		}
		// A per-account route is a route of its own, pointing to its default-account operation.
		expect(html).toMatch(/id="listAccountEndpoints">.*The same as <a href="#listEndpoints">GET \/api\/endpoints<\/a>/s);
		// Bodies and answers: the example given, or one made from the schema.
		expect(html).toContain("-d &#39;{&quot;url&quot;:&quot;https://hooks.acme.example/supportbee&quot;");
		expect(html).toMatch(/id="getStats">.*?Answer 200:/s);
		const css = await (await request("/assets/hivepost.css")).response.text();
		expect(css).toMatch(/\.reference \.toc \{[^}]*position: sticky;/);
	});

	it("asks for sign-in like every operator page", async () => {
		const { response } = await request("/admin/api");
		expect(response.status).toBe(401);
		expect(await response.text()).toContain('action="/admin/sign-in"');
	});
});
