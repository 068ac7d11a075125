/**
 * /portal: an account admin's whole world, opened by a one-time admin link
 * the helpdesk mints for its signed-in admin. The same pages as the
 * operator's, for that account only, titled with its name; read-only
 * sessions see everything but secrets and change nothing.
 */
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import { Hono } from "hono/tiny";
import { openAdminLink } from "../../accounts/links";
import { endPortalSession, forgetPortalSession, readPortalSession, setPortalCookie } from "../../accounts/sessions";
import { readSettings } from "../../config";
import { limitBody } from "../../http/bodyLimit";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms } from "../auth/guards";
import { accountPages, pageChrome } from "./accountRoutes";
import type { PageContext, PageEnv } from "./context";
import { MessagePage } from "./layout";
import { renderPageError } from "./pageErrors";

const OPEN_AGAIN = "Open Web Hooks from your helpdesk again to get a new link.";

/**
 * The browser's portal session, when it has one, read before anything else
 * runs: every portal page names its account in the header, the sign-in and
 * error pages included.
 */
const usePortalSession = createMiddleware<PageEnv>(async (c, next) => {
	const session = await readPortalSession(c);
	if (session) {
		c.set("viewer", { kind: "portal", session });
		c.set("account", { id: session.accountId, uid: session.uid, name: session.name });
		c.set("accountName", session.name);
		c.set("base", "/portal");
	}
	await next();
});

/**
 * A page of the portal's own (sign-in, messages): the signed-in account's
 * frame when there is a session; without one the brand links nowhere, since
 * the way back in is the helpdesk.
 */
function PortalMessage({ c, title, heading, children }: { c: PageContext; title: string; heading: string; children: Child }) {
	return (
		<MessagePage chrome={c.var.viewer ? pageChrome(c, title) : { title, home: null }} heading={heading}>
			{children}
		</MessagePage>
	);
}

const requirePortalSession = createMiddleware<PageEnv>(async (c, next) => {
	if (!c.var.viewer) {
		return c.html(
			<PortalMessage c={c} title="Signed out" heading="You are not signed in">
				<p>{`Your session has ended or was never started. ${OPEN_AGAIN}`}</p>
			</PortalMessage>,
			401,
		);
	}
	await next();
});

export const portalPages = new Hono<PageEnv>()
	.use("*", adminSecurityHeaders, noStore, usePortalSession, refuseCrossSiteForms)
	.get("/sign-in", async (c) => {
		const opened = await openAdminLink(c.env, readSettings(c.env), c.req.query("token") ?? "");
		if (!opened) {
			return c.html(
				<PortalMessage c={c} title="Link expired" heading="This link cannot be used">
					<p>{`This link was already used or has expired. ${OPEN_AGAIN}`}</p>
				</PortalMessage>,
				410,
			);
		}
		// A browser switching accounts ends its previous session.
		await forgetPortalSession(c);
		setPortalCookie(c, opened.sessionToken, opened.expiresAt);
		// 303 to the portal's home: the token leaves the address bar.
		return c.redirect("/portal", 303);
	})
	.post("/sign-out", limitBody.other, async (c) => {
		await endPortalSession(c);
		// 303 to a page of its own, so a reload shows it again instead of repeating the POST.
		return c.redirect("/portal/signed-out", 303);
	})
	.get("/signed-out", (c) =>
		c.html(
			<PortalMessage c={c} title="Signed out" heading="Signed out">
				<p>{OPEN_AGAIN}</p>
			</PortalMessage>,
		),
	)
	.use("*", requirePortalSession)
	.route("/", accountPages)
	.onError(renderPageError);
