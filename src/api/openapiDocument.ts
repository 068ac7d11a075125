/**
 * GET /api/openapi.json: the HTTP surface as an OpenAPI 3.1 document, public
 * (it holds no data). The document is generated at build time from the zod
 * schemas that validate requests and shape responses and the *.openapi.ts
 * modules beside the routes (`npm run openapi`, see openapi/build.ts) and
 * committed as static/api/openapi.json, one of the Worker's static assets: at
 * about 100 KB it would be the largest part of the Worker's bundle, and the
 * Worker only passes it on. Its rendering for the operator's page
 * (openapi/reference.tsx) is made at the same time: static/api/reference.html.
 */
import { readAsset } from "../http/assets";

export const OPENAPI_PATH = "/api/openapi.json";

/** The reference page's main part, as HTML: not a route of its own (the Worker serves it inside /admin/api). */
export const REFERENCE_PATH = "/api/reference.html";

/** An OpenAPI 3.1 document, typed as far as the reference and the tests read it. */
export interface OpenApiDocument {
	openapi: string;
	info: { title: string; version: string; description?: string };
	servers: { url: string }[];
	tags: { name: string; description?: string }[];
	security?: Record<string, string[]>[];
	paths: Record<string, Record<string, unknown>>;
	webhooks: Record<string, Record<string, unknown>>;
	components: Record<string, Record<string, unknown>>;
}

/** The reference, rendered at build time, for the operator's page. */
export function apiReference(env: Env): Promise<string> {
	return readAsset(env, REFERENCE_PATH);
}
