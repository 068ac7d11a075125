/**
 * The OpenAPI description of the routes app.ts serves itself: the bare
 * address, liveness and the document. Build time only: the Worker never imports it
 * (openapi/build.ts does).
 */
import * as z from "zod/mini";
import type { ResourceDoc } from "./openapi/operations";

/** What GET /health answers. */
export const healthSchema = z.object({ ok: z.literal(true) });

export const serviceDoc: ResourceDoc = {
	tag: { name: "Service", description: "The bare address, liveness and this document." },
	operations: [
		{
			method: "get",
			path: "/",
			id: "getRoot",
			tag: "Service",
			summary: "The admin pages",
			description: "Whoever opens the bare address is sent to the admin pages.",
			success: {
				303: {
					description: "To /admin.",
					headers: { Location: { description: "`/admin`", schema: { type: "string", const: "/admin" } } },
				},
			},
		},
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
