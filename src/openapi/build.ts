/**
 * The OpenAPI 3.1 document of Hivepost's HTTP surface, built from the
 * *.openapi.ts modules beside the code they describe (api/, ingest/, app.ts):
 * their operations, and the descriptions they add to the zod schemas that
 * validate requests and shape responses; the error catalogue; the webhooks
 * (one per event type, with the samples); description.md.
 *
 * Build time only: `npm run openapi` (scripts/openapi.ts) writes the result
 * into static/api/openapi.json, which the Worker serves, and the error-code
 * table into docs/api.md; zod's JSON Schema generator never runs in the
 * Worker, which imports neither this folder nor any *.openapi.ts (a test
 * builds the bundle to prove it). test/openapi/document.test.ts fails when
 * the committed document or table is stale.
 */
import { version } from "../../package.json";
import { accountsDoc } from "../api/accounts.openapi";
import { deliveriesDoc } from "../api/deliveries.openapi";
import { endpointsDoc } from "../api/endpoints.openapi";
import { eventsDoc } from "../api/events.openapi";
import type { OpenApiDocument } from "../api/openapiDocument";
import { operationalEndpointsDoc } from "../api/operationalEndpoints.openapi";
import { statsDoc } from "../api/stats.openapi";
import { serviceDoc } from "../app.openapi";
import { UID_PATTERN, UID_RULE } from "../db/directory";
import { ingestDoc } from "../ingest/route.openapi";
import { componentSchemas, REQUESTS, RESPONSES } from "./componentSchemas";
import { describeErrorBody } from "./errorCatalogue";
import { idParameter, type Operation, type Samples, type Surface } from "./operations";
import { ErrorResponses, operationObject } from "./paths";
import { WEBHOOK_HEADERS, WEBHOOK_RESPONSES, WEBHOOKS_TAG, webhooks } from "./webhooks";

/** Every resource, in the order the document lists their tags. */
const RESOURCES = [ingestDoc, endpointsDoc, deliveriesDoc, eventsDoc, statsDoc, accountsDoc, operationalEndpointsDoc, serviceDoc];

/** One account's API: at `/api/…` for the default account, and its twin at `/api/accounts/{uid}/…` for any account. */
const ACCOUNT_API: Operation[] = [...endpointsDoc.operations, ...deliveriesDoc.operations, ...eventsDoc.operations, ...statsDoc.operations];

/** The whole OpenAPI 3.1 document. */
export function buildOpenApiDocument({ samples, description }: { samples: Samples; description: string }): OpenApiDocument {
	for (const resource of RESOURCES) resource.describeFields();
	describeErrorBody();
	const paths: Record<string, Record<string, unknown>> = {};
	const errors = new ErrorResponses();
	const build = (list: Operation[], surface: Surface, twin: boolean, prefix = "") =>
		list.map((op) => ({ path: prefix + op.path, op, operation: operationObject(op, surface, twin, errors, samples) }));
	// Built in this order, so each shared error response is named after its plainest use (see ErrorResponses)…
	const defaultApi = build(ACCOUNT_API, "operator", false, "/api");
	const accounts = build(accountsDoc.operations, "accounts", false);
	const operational = build(operationalEndpointsDoc.operations, "operator", false);
	const twins = build(ACCOUNT_API, "operator", true, "/api/accounts/{uid}");
	const service = build(serviceDoc.operations, "public", false);
	const ingest = [...build(ingestDoc.operations, "ingest", false), ...build(ingestDoc.operations, "ingest", true, "/accounts/{uid}")];
	// …and listed in this one.
	for (const { path, op, operation } of [...ingest, ...service, ...defaultApi, ...accounts, ...operational, ...twins]) {
		paths[path] ??= {};
		paths[path][op.method] = operation;
	}
	return {
		openapi: "3.1.0",
		info: { title: "Hivepost", version, description: description.trimEnd() },
		servers: [{ url: "/" }],
		tags: [...RESOURCES.map((resource) => resource.tag), WEBHOOKS_TAG],
		security: [{ adminToken: [] }, { adminSession: [] }, { accessJwt: [] }],
		paths,
		webhooks: webhooks(samples),
		components: {
			securitySchemes: {
				adminToken: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <ADMIN_TOKEN>`: the operator's API." },
				adminSession: {
					type: "apiKey",
					in: "cookie",
					name: "__Host-hivepost_session",
					description: "The admin page's session (after signing in at /admin); `hivepost_session` on a plain-HTTP local origin.",
				},
				accessJwt: {
					type: "apiKey",
					in: "header",
					name: "Cf-Access-Jwt-Assertion",
					description: "Cloudflare Access mode (ACCESS_TEAM_DOMAIN and ACCESS_AUD set): added by Access.",
				},
				ingestToken: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <INGEST_TOKEN>`: ingest." },
				supportBeeKey: {
					type: "apiKey",
					in: "header",
					name: "X-SupportBee-Key",
					description: "The ingest token, for senders that speak SupportBee.",
				},
			},
			responses: { ...errors.components, ...WEBHOOK_RESPONSES },
			parameters: {
				Uid: {
					name: "uid",
					in: "path",
					required: true,
					description: `The account's uid: ${UID_RULE}.`,
					schema: { type: "string", pattern: UID_PATTERN.source },
				},
				EndpointId: idParameter("endpoint", "ep"),
				DeliveryId: idParameter("delivery", "dlv"),
				EventId: idParameter("event", "evt"),
				...WEBHOOK_HEADERS,
			},
			schemas: {
				...componentSchemas(RESPONSES, "output"),
				...componentSchemas(REQUESTS, "input"),
				OpenApiDocument: { type: "object", required: ["openapi", "info"], description: "An OpenAPI 3.1 document." },
			},
		},
	};
}
