/**
 * /admin: the operator's pages. Sign-in with the admin token (or Cloudflare
 * Access), the default account's pages at /admin, every account's pages at
 * /admin/accounts/{uid}, and the list of accounts. A browser signed in to an
 * account's portal only is sent to /portal.
 */
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
import { listAccounts } from "../accounts/accountStore";
import { summarize } from "../accounts/summary";
import { accountListSchema } from "../api/accounts";
import { openApiDocument } from "../api/openapiDocument";
import { accessSettings } from "../auth/access";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms } from "../auth/guards";
import { adminTokenMatches, authenticate } from "../auth/operator";
import { endSession, startSession } from "../auth/operatorSession";
import { readPortalSession } from "../auth/portalSession";
import { useAccountFromPath, useDefaultAccount } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { HttpError } from "../http/errors";
import { validateInput } from "../http/readJson";
import { filterQuery, type PageEnv } from "./context";
import { accountPages, pageChrome } from "./endpoints";
import { renderPageError } from "./pageErrors";
import { AccountsPage } from "./views/accountsPage";
import { ApiPage } from "./views/apiPage";
import { SignInPage } from "./views/layout";

const requireOperatorPage = createMiddleware<PageEnv>(async (c, next) => {
	const admin = await authenticate(c);
	if (!admin) {
		if (await readPortalSession(c)) return c.redirect("/portal", 303);
		return c.html(<SignInPage chrome={{ title: "Sign in" }} accessMode={accessSettings(c.env) !== null} />, 401);
	}
	c.set("admin", admin);
	c.set("viewer", { kind: "operator", admin });
	await next();
});

/** Where the account's pages live, for links and redirects. */
const mountedAt = (base: (uid: string) => string) =>
	createMiddleware<PageEnv>(async (c, next) => {
		c.set("base", base(c.var.account.uid));
		c.set("accountName", c.var.account.name);
		await next();
	});

export const adminPages = new Hono<PageEnv>()
	.use("*", adminSecurityHeaders, noStore, refuseCrossSiteForms)
	.post("/sign-in", limitBody.other, async (c) => {
		if (accessSettings(c.env))
			throw new HttpError("access_mode", "This Hivepost signs admins in through Cloudflare Access, not with the token.");
		const token = String((await c.req.parseBody()).token ?? "");
		if (!token || !(await adminTokenMatches(c.env, token))) {
			return c.html(<SignInPage chrome={{ title: "Sign in" }} accessMode={false} error="That is not the admin token." />, 401);
		}
		await startSession(c, token);
		return c.redirect("/admin", 303);
	})
	.use("*", requireOperatorPage)
	.post("/sign-out", limitBody.other, (c) => {
		endSession(c);
		return c.redirect("/admin", 303);
	})
	.get("/accounts", async (c) => {
		const { prefix = "", cursor } = validateInput(filterQuery(c), accountListSchema, "query");
		const page = await listAccounts(c.env, { prefix, cursor });
		return c.html(
			<AccountsPage
				chrome={pageChrome(c, "Accounts", "accounts")}
				prefix={prefix}
				accounts={await summarize(c.env, page.accounts)}
				nextCursor={page.nextCursor}
			/>,
		);
	})
	.get("/api", async (c) => {
		return c.html(<ApiPage chrome={pageChrome(c, "API reference", "api")} doc={await openApiDocument(c.env)} />);
	})
	.route(
		"/accounts/:uid",
		new Hono<PageEnv>()
			.use(
				useAccountFromPath,
				mountedAt((uid) => `/admin/accounts/${encodeURIComponent(uid)}`),
			)
			.route("/", accountPages),
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
