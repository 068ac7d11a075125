/**
 * The OpenAPI description of the routes app.ts serves itself: liveness and
 * the document. Build time only: the Worker never imports it
 * (openapi/build.ts does).
 */
import * as z from "zod/mini";
import type { ResourceDoc } from "./openapi/operations";

/** What GET /health answers. */
export const healthSchema = z.object({ ok: z.literal(true) });

export const serviceDoc: ResourceDoc = {
	tag: { name: "Service", description: "Liveness and this document." },
	operations: [
		{
			method: "get",
			path: "/health",
			id: "getHealth",
			tag: "Service",
			summary: "Liveness",
			success: { 200: { description: "The Worker answers.", schema: "Health" } },
		},
		{
			method: "get",
			path: "/api/openapi.json",
			id: "getOpenApiDocument",
			tag: "Service",
			summary: "This OpenAPI document",
			description: "Public: it holds no data. Also readable as a page at /admin/api.",
			success: { 200: { description: "The OpenAPI 3.1 document.", schema: "OpenApiDocument" } },
		},
	],
	describeFields() {},
};
