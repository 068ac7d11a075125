/**
 * GET /api/openapi.json: the HTTP surface as an OpenAPI 3.1 document, public
 * (it holds no data). The document is generated at build time from the zod
 * schemas that validate requests and describe responses (`npm run openapi`,
 * see openapiSpec.ts) and committed as openapiDocument.json; the Worker only
 * puts the SupportBee samples back in as examples (openapiCompact.ts).
 */
import { Hono } from "hono";
import { sampleEvent } from "../../samples";
import { expandDocument, type OpenApiDocument } from "./openapiCompact";
import committed from "./openapiDocument.json";

let document: OpenApiDocument | undefined;

/** The whole document (built once per isolate). */
export function openApiDocument(): OpenApiDocument {
	document ??= expandDocument(committed as unknown as OpenApiDocument, (actionType) => JSON.parse(sampleEvent(actionType)));
	return document;
}

export const openApiRoute = new Hono().get("/", (c) => c.json(openApiDocument()));
