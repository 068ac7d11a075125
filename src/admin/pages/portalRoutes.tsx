/**
 * /portal: an account admin's whole world, opened by a one-time admin link
 * the helpdesk mints for its signed-in admin. The same pages as the
 * operator's, for that account only, titled with its name; read-only
 * sessions see everything but secrets and change nothing.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { openAdminLink } from "../../accounts/links";
import { endPortalSession, forgetPortalSession, readPortalSession, setPortalCookie } from "../../accounts/sessions";
import { readSettings } from "../../config";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms } from "../auth/guards";
import { accountPages } from "./accountRoutes";
import type { PageEnv } from "./context";
import { MessagePage } from "./layout";
import { renderPageError } from "./pageErrors";

const OPEN_AGAIN = "Open Web Hooks from your helpdesk again to get a new link.";

const requirePortalSession = createMiddleware<PageEnv>(async (c, next) => {
	const session = await readPortalSession(c);
	if (!session) {
		return c.html(
			<MessagePage chrome={{ title: "Signed out" }} heading="You are not signed in">
				<p>Your session has ended or was never started. {OPEN_AGAIN}</p>
			</MessagePage>,
			401,
		);
	}
	c.set("viewer", { kind: "portal", session });
	c.set("account", { id: session.accountId, uid: session.uid, name: session.name });
	c.set("accountName", session.name);
	c.set("base", "/portal");
	await next();
});

export const portalPages = new Hono<PageEnv>()
	.use("*", adminSecurityHeaders, noStore, refuseCrossSiteForms)
	.get("/sign-in", async (c) => {
		const opened = await openAdminLink(c.env, readSettings(c.env), c.req.query("token") ?? "");
		if (!opened) {
			return c.html(
				<MessagePage chrome={{ title: "Link expired" }} heading="This link cannot be used">
					<p>This link was already used or has expired. {OPEN_AGAIN}</p>
				</MessagePage>,
				410,
			);
		}
		// A browser switching accounts ends its previous session.
		await forgetPortalSession(c);
		setPortalCookie(c, opened.sessionToken, opened.expiresAt);
		// 303 to the portal's home: the token leaves the address bar.
		return c.redirect("/portal", 303);
	})
	.post("/sign-out", async (c) => {
		await endPortalSession(c);
		return c.html(
			<MessagePage chrome={{ title: "Signed out" }} heading="Signed out">
				<p>{OPEN_AGAIN}</p>
			</MessagePage>,
		);
	})
	.use("*", requirePortalSession)
	.route("/", accountPages)
	.onError(renderPageError);
