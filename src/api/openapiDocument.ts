/**
 * GET /api/openapi.json: the HTTP surface as an OpenAPI 3.1 document, public
 * (it holds no data). The document is generated at build time from the zod
 * schemas that validate requests and shape responses and the *.openapi.ts
 * modules beside the routes (`npm run openapi`, see openapi/build.ts) and
 * committed as static/api/openapi.json, one of the
 * Worker's static assets: at about 100 KB it would be the largest part of
 * the Worker's bundle, and the Worker only passes it on (or renders it at /admin/api).
 */
import { readAsset } from "../http/assets";

export const OPENAPI_PATH = "/api/openapi.json";

/** An OpenAPI 3.1 document, typed as far as the reference page and the tests read it. */
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

/** The document itself, for the reference page. */
export async function openApiDocument(env: Env): Promise<OpenApiDocument> {
	return JSON.parse(await readAsset(env, OPENAPI_PATH));
}
