/**
 * /api/endpoints: register, list, replace (SupportBee's "Update App"), edit,
 * delete; signing secrets (reveal, rotate); test events and redelivery.
 */
import { Hono } from "hono";
import { database } from "../../db/client";
import { readJson } from "../../http/readJson";
import type { AdminEnv } from "../auth/authenticate";
import { redeliverFailed, sendTestEvent } from "../deliveryActions";
import { createEndpoint, deleteEndpoint, policyFor, replaceEndpoints, rotateSecret, updateEndpoint } from "../endpointChanges";
import { type EndpointRow, listEndpoints, requireEndpoint, toView } from "../endpointStore";
import { createEndpointSchema, redeliverSchema, replaceEndpointsSchema, testEventSchema, updateEndpointSchema } from "./schemas";

/** A signing secret, for a response that must never be cached. */
function secretBody(row: EndpointRow) {
	return {
		secret: row.secret,
		previous_secret_expires_at:
			row.previousSecretExpiresAt && row.previousSecretExpiresAt > Date.now() ? new Date(row.previousSecretExpiresAt).toISOString() : null,
	};
}

export const endpointsApi = new Hono<AdminEnv>()
	.get("/", async (c) => {
		const rows = await listEndpoints(database(c.env));
		return c.json({ endpoints: rows.map((row) => toView(row)) });
	})
	.post("/", async (c) => {
		const input = await readJson(c, createEndpointSchema);
		const row = await createEndpoint(database(c.env), policyFor(c.env, c.req.url), input);
		return c.json(toView(row, true), 201);
	})
	.put("/", async (c) => {
		const input = await readJson(c, replaceEndpointsSchema);
		const { kept, added } = await replaceEndpoints(database(c.env), policyFor(c.env, c.req.url), input.urls);
		return c.json({ endpoints: [...kept.map((row) => toView(row)), ...added.map((row) => toView(row, true))] });
	})
	.get("/:id", async (c) => c.json(toView(await requireEndpoint(database(c.env), c.req.param("id")))))
	.patch("/:id", async (c) => {
		const changes = await readJson(c, updateEndpointSchema);
		return c.json(toView(await updateEndpoint(database(c.env), policyFor(c.env, c.req.url), c.req.param("id"), changes)));
	})
	.delete("/:id", async (c) => {
		await deleteEndpoint(database(c.env), c.req.param("id"));
		return c.body(null, 204);
	})
	.get("/:id/secret", async (c) => c.json(secretBody(await requireEndpoint(database(c.env), c.req.param("id")))))
	.post("/:id/rotate-secret", async (c) => c.json(secretBody(await rotateSecret(database(c.env), c.req.param("id")))))
	.post("/:id/test", async (c) => {
		const { action_type } = await readJson(c, testEventSchema);
		return c.json(await sendTestEvent(database(c.env), c.env.DELIVERY_QUEUE, c.req.param("id"), action_type), 202);
	})
	.post("/:id/redeliver", async (c) => {
		const { since } = await readJson(c, redeliverSchema);
		const count = await redeliverFailed(database(c.env), c.env.DELIVERY_QUEUE, c.req.param("id"), Date.parse(since));
		return c.json({ redelivered: count }, 202);
	});
