/**
 * /portal: an account admin's whole world, opened by a one-time admin link
 * the helpdesk mints for its signed-in admin. The same pages as the
 * operator's, for that account only, titled with its name; read-only
 * sessions see everything but secrets and change nothing.
 */
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
import { openAdminLink } from "../../accounts/links";
import { endPortalSession, forgetPortalSession, readPortalSession, setPortalCookie } from "../../accounts/sessions";
import { readSettings } from "../../config";
import { limitBody } from "../../http/bodyLimit";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms } from "../auth/guards";
import { accountPages } from "./accountRoutes";
import type { PageEnv } from "./context";
import { MessagePage } from "./layout";
import { renderPageError } from "./pageErrors";

const OPEN_AGAIN = "Open Web Hooks from your helpdesk again to get a new link.";

/** A portal page for a browser without a session: its way back in is the helpdesk, so the brand links nowhere. */
function SignedOutPage({ title, heading, children }: { title: string; heading: string; children: string }) {
	return (
		<MessagePage chrome={{ title, home: null }} heading={heading}>
			<p>{children}</p>
		</MessagePage>
	);
}

const requirePortalSession = createMiddleware<PageEnv>(async (c, next) => {
	const session = await readPortalSession(c);
	if (!session) {
		return c.html(
			<SignedOutPage title="Signed out" heading="You are not signed in">
				{`Your session has ended or was never started. ${OPEN_AGAIN}`}
			</SignedOutPage>,
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
				<SignedOutPage title="Link expired" heading="This link cannot be used">
					{`This link was already used or has expired. ${OPEN_AGAIN}`}
				</SignedOutPage>,
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
			<SignedOutPage title="Signed out" heading="Signed out">
				{OPEN_AGAIN}
			</SignedOutPage>,
		),
	)
	.use("*", requirePortalSession)
	.route("/", accountPages)
	.onError(renderPageError);
