/**
 * /api/accounts: the operator's accounts API. Create or rename, list, read,
 * delete an account; move it to another database; end its portal sessions
 * (and its unused links); mint one-time admin links.
 * (An account's endpoints, deliveries, events and stats are under
 * /api/accounts/{uid}/…, the same API the default account has at /api/….)
 */
import { Hono } from "hono/tiny";
import { deleteAccount } from "../accounts/accountDeletion";
import { accountListSchema, adminLinkRequestSchema, moveRequestSchema, putAccountSchema } from "../accounts/accountRequests";
import { listAccounts, putAccount } from "../accounts/accountStore";
import { endAccountAccess, linkOrigin, mintAdminLink } from "../accounts/links";
import { startMove } from "../accounts/moves";
import { accountView, summarize } from "../accounts/summary";
import type { OperatorEnv } from "../auth/operator";
import { boundDatabase, directoryDatabase } from "../db/client";
import { requireAccount } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { readJson, readQuery } from "../http/readJson";

export const accountsApi = new Hono<OperatorEnv>()
	.get("/", async (c) => {
		const { prefix, q, cursor } = readQuery(c, accountListSchema);
		const page = await listAccounts(c.env, { prefix, q, cursor });
		return c.json({ accounts: await summarize(c.env, page.accounts), next_cursor: page.nextCursor });
	})
	.put("/:uid", limitBody.other, async (c) => {
		const { name } = await readJson(c, putAccountSchema, { optional: true });
		const { account, created } = await putAccount(c.env, c.req.param("uid"), name);
		return c.json(accountView(account), created ? 201 : 200);
	})
	.get("/:uid", async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		// The account's own route: its database gone is a 503 naming it (the list still shows the account, without counts).
		boundDatabase(c.env, account.database);
		const [summary] = await summarize(c.env, [account]);
		return c.json(summary);
	})
	.delete("/:uid", limitBody.other, async (c) => {
		await deleteAccount(c.env, await requireAccount(c.env, c.req.param("uid")));
		return c.body(null, 204);
	})
	.post("/:uid/move", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		boundDatabase(c.env, account.database);
		// No body is a missing `database` (400 naming it), not unreadable JSON.
		const { database } = await readJson(c, moveRequestSchema, { optional: true });
		return c.json(await startMove(c.env, account, database), 202);
	})
	.delete("/:uid/sessions", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		await directoryDatabase(c.env).batch(endAccountAccess(c.env, account.id));
		return c.body(null, 204);
	})
	.post("/:uid/admin-links", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		// Its database gone: a 503 naming it before the body is read (mintAdminLink refuses it too).
		boundDatabase(c.env, account.database);
		const request = await readJson(c, adminLinkRequestSchema, { optional: true });
		return c.json(await mintAdminLink(c.env, account, request, linkOrigin(c.env, c.req.url)), 201);
	});
