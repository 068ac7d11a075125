/**
 * …/endpoints of one account: register, list, replace (SupportBee's "Update
 * App"), edit, delete; signing secrets (reveal, rotate); test events and
 * redelivery. Changes made here are recorded with the actor "operator".
 */
import { Hono } from "hono/tiny";
import { type OperatorEnv, operatorChange } from "../auth/operator";
import { readSettings } from "../config";
import { sendTestEvent } from "../endpoints/deliveryActions";
import {
	createEndpoint,
	deleteEndpoint,
	planReplacement,
	replaceEndpoints,
	rotateSecret,
	updateEndpoint,
} from "../endpoints/endpointChanges";
import {
	createEndpointSchema,
	redeliverSchema,
	replaceEndpointsSchema,
	testEventSchema,
	updateEndpointSchema,
} from "../endpoints/endpointRequests";
import { endpointView, endpointViews, listEndpoints, requireEndpoint, secretView } from "../endpoints/endpointStore";
import { redeliver } from "../endpoints/redelivery";
import { scopeOf } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { readJson } from "../http/readJson";
import { policyFor } from "../security/destination";

export const endpointsApi = new Hono<OperatorEnv>()
	.get("/", async (c) => {
		const scope = scopeOf(c);
		return c.json({ endpoints: await endpointViews(c.env, scope, await listEndpoints(scope)) });
	})
	.post("/", limitBody.endpoint, async (c) => {
		const input = await readJson(c, createEndpointSchema);
		const change = operatorChange(c);
		const row = await createEndpoint(change, policyFor(c.env, c.req.url), readSettings(c.env), input);
		return c.json(await endpointView(c.env, change, row, true), 201);
	})
	.put("/", limitBody.updateApp, async (c) => {
		const input = await readJson(c, replaceEndpointsSchema);
		const change = operatorChange(c);
		const plan = await planReplacement(change, policyFor(c.env, c.req.url), readSettings(c.env), input.urls);
		await replaceEndpoints(change, plan);
		const { kept, added } = plan;
		const views = await endpointViews(
			c.env,
			change,
			[...kept, ...added],
			added.map((row) => row.id),
		);
		return c.json({ endpoints: views });
	})
	.get("/:id", async (c) => {
		const scope = scopeOf(c);
		return c.json(await endpointView(c.env, scope, await requireEndpoint(scope, c.req.param("id"))));
	})
	.patch("/:id", limitBody.endpoint, async (c) => {
		const changes = await readJson(c, updateEndpointSchema);
		const change = operatorChange(c);
		return c.json(await endpointView(c.env, change, await updateEndpoint(change, policyFor(c.env, c.req.url), c.req.param("id"), changes)));
	})
	.delete("/:id", limitBody.other, async (c) => {
		await deleteEndpoint(operatorChange(c), c.req.param("id"));
		return c.body(null, 204);
	})
	.get("/:id/secret", async (c) => c.json(secretView(await requireEndpoint(scopeOf(c), c.req.param("id")))))
	.post("/:id/rotate-secret", limitBody.other, async (c) => c.json(secretView(await rotateSecret(operatorChange(c), c.req.param("id")))))
	.post("/:id/test", limitBody.other, async (c) => {
		const { action_type } = await readJson(c, testEventSchema);
		return c.json(await sendTestEvent(c.env, operatorChange(c), readSettings(c.env), c.req.param("id"), action_type), 202);
	})
	.post("/:id/redeliver", limitBody.other, async (c) => {
		const request = await readJson(c, redeliverSchema);
		const { count, more } = await redeliver(c.env, operatorChange(c), readSettings(c.env), c.req.param("id"), request);
		return request.dry_run ? c.json({ would_redeliver: count, more }, 200) : c.json({ redelivered: count, more }, 202);
	});
