/**
 * /api/operational-endpoints: where the operator receives Hivepost's
 * operational messages (endpoint failing, disabled, recovered; delivery
 * failed). The operator's own, with no per-account twin: register, list,
 * read, edit, delete, rotate the signing secret.
 */
import { Hono } from "hono/tiny";
import type { OperatorEnv } from "../auth/operator";
import { readSettings } from "../config";
import { operatorScope } from "../db/operatorAccount";
import { createEndpoint, deleteEndpoint, rotateSecret, updateEndpoint } from "../endpoints/endpointChanges";
import { listEndpoints, requireEndpoint, secretView } from "../endpoints/endpointStore";
import {
	createOperationalEndpointSchema,
	operationalEndpointView,
	operatorAccountChange,
	updateOperationalEndpointSchema,
} from "../endpoints/operational";
import { limitBody } from "../http/bodyLimit";
import { readJson } from "../http/readJson";
import { policyFor } from "../security/destination";

export const operationalEndpointsApi = new Hono<OperatorEnv>()
	.get("/", async (c) => c.json({ endpoints: (await listEndpoints(operatorScope(c.env))).map((row) => operationalEndpointView(row)) }))
	.post("/", limitBody.endpoint, async (c) => {
		const input = await readJson(c, createOperationalEndpointSchema);
		const row = await createEndpoint(operatorAccountChange(c.env), policyFor(c.env, c.req.url), readSettings(c.env), input);
		return c.json(operationalEndpointView(row, true), 201);
	})
	.get("/:id", async (c) => c.json(operationalEndpointView(await requireEndpoint(operatorScope(c.env), c.req.param("id")))))
	.patch("/:id", limitBody.endpoint, async (c) => {
		const changes = await readJson(c, updateOperationalEndpointSchema);
		const row = await updateEndpoint(operatorAccountChange(c.env), policyFor(c.env, c.req.url), c.req.param("id"), changes);
		return c.json(operationalEndpointView(row));
	})
	.delete("/:id", limitBody.other, async (c) => {
		await deleteEndpoint(operatorAccountChange(c.env), c.req.param("id"));
		return c.body(null, 204);
	})
	.post("/:id/rotate-secret", limitBody.other, async (c) =>
		c.json(secretView(await rotateSecret(operatorAccountChange(c.env), c.req.param("id")))),
	);
