/**
 * /admin: the operator's pages. Sign-in with the admin token (or Cloudflare
 * Access), the default account's pages at /admin, every account's pages at
 * /admin/accounts/{uid}, the console of accounts, and the System page. A browser signed in to an
 * account's portal only is sent to /portal.
 */
import { createMiddleware } from "hono/factory";
import { raw } from "hono/html";
import { Hono } from "hono/tiny";
import { apiReference } from "../api/openapiDocument";
import { accessSettings } from "../auth/access";
import { noStore, refuseCrossSiteForms, securityHeaders } from "../auth/guards";
import { authenticate, operatorTokenMatches } from "../auth/operator";
import { endOperatorSession, startOperatorSession } from "../auth/operatorSession";
import { readPortalSession } from "../auth/portalSession";
import { useAccountFromPath, useDefaultAccount } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { HttpError } from "../http/errors";
import { systemReport } from "../reports/system";
import { accountsPages } from "./accounts";
import { type PageEnv, pageChrome } from "./context";
import { renderPageError } from "./pageErrors";
import { accountPages } from "./perAccount";
import { Layout, SignInPage } from "./views/layout";
import { SystemPage } from "./views/systemPage";

const requireOperatorPage = createMiddleware<PageEnv>(async (c, next) => {
	const operator = await authenticate(c);
	if (!operator) {
		if (await readPortalSession(c)) return c.redirect("/portal", 303);
		return c.html(<SignInPage chrome={{ title: "Sign in" }} accessMode={accessSettings(c.env) !== null} />, 401);
	}
	c.set("operator", operator);
	c.set("viewer", { kind: "operator", operator });
	await next();
});

/** Where the account's pages live, for links and redirects. */
const mountedAt = (base: (uid: string) => string) =>
	createMiddleware<PageEnv>(async (c, next) => {
		c.set("base", base(c.var.account.uid));
		c.set("accountName", c.var.account.name);
		await next();
	});

export const operatorPages = new Hono<PageEnv>()
	.use("*", securityHeaders, noStore, refuseCrossSiteForms)
	.post("/sign-in", limitBody.other, async (c) => {
		if (accessSettings(c.env))
			throw new HttpError("access_mode", "This Hivepost signs admins in through Cloudflare Access, not with the token.");
		const token = String((await c.req.parseBody()).token ?? "");
		if (!token || !(await operatorTokenMatches(c.env, token))) {
			return c.html(<SignInPage chrome={{ title: "Sign in" }} accessMode={false} error="That is not the admin token." />, 401);
		}
		await startOperatorSession(c, token);
		return c.redirect("/admin", 303);
	})
	.use("*", requireOperatorPage)
	.post("/sign-out", limitBody.other, (c) => {
		endOperatorSession(c);
		return c.redirect("/admin", 303);
	})
	.route("/", accountsPages)
	.get("/system", async (c) => c.html(<SystemPage chrome={pageChrome(c, "System", "system")} report={await systemReport(c.env)} />))
	.get("/api", async (c) => {
		// Rendered from the document at build time (npm run openapi), like the document itself.
		return c.html(<Layout chrome={pageChrome(c, "API reference", "api")}>{raw(await apiReference(c.env))}</Layout>);
	})
	.route(
		"/accounts/:uid",
		new Hono<PageEnv>()
			.use(
				useAccountFromPath,
				mountedAt((uid) => `/admin/accounts/${encodeURIComponent(uid)}`),
			)
			.route("/", accountPages)
			// Not the default account's page of that name: a 404 in this account's frame.
			.all("*", () => {
				throw new HttpError("not_found", "There is no such page for this account.");
			}),
	)
	.route(
		"/",
		new Hono<PageEnv>()
			.use(
				useDefaultAccount,
				mountedAt(() => "/admin"),
			)
			.route("/", accountPages),
	)
	.onError(renderPageError);
