/**
 * /portal: an account admin's whole world, opened by a one-time admin link
 * the helpdesk mints for its signed-in admin. The same pages as the
 * operator's, for that account only, titled with its name; read-only
 * sessions see everything but secrets and change nothing. A link opens in
 * one click, unless the browser is signed in to another account: then it
 * asks first.
 */
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import { Hono } from "hono/tiny";
import { openAdminLink, peekAdminLink } from "../accounts/links";
import type { PortalSession } from "../accounts/sessions";
import { noStore, refuseCrossSiteForms, securityHeaders } from "../auth/guards";
import { endPortalSession, forgetPortalSession, readPortalSession, setPortalCookie } from "../auth/portalSession";
import { readSettings } from "../config";
import { setAccount } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { type PageContext, type PageEnv, pageChrome } from "./context";
import { renderPageError } from "./pageErrors";
import { accountPages } from "./perAccount";
import { ConfirmPage } from "./views/confirmPage";
import { AccountName, MessagePage } from "./views/layout";

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
		c.set("account", { id: session.accountId, uid: session.uid, name: session.name, database: session.database });
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
	// The account's pages need its database: a 503 naming the binding when it is gone (signing in and out still work).
	setAccount(c, c.var.account);
	await next();
});

function linkRefused(c: PageContext) {
	return c.html(
		<PortalMessage c={c} title="Link expired" heading="This link cannot be used">
			<p>{`This link was already used or has expired. ${OPEN_AGAIN}`}</p>
			{/* Signed in already: the way on is right here. */}
			{c.var.viewer && (
				<p>
					You are still signed in to {c.var.accountName}: <a href="/portal">continue to the portal</a>.
				</p>
			)}
		</PortalMessage>,
		410,
	);
}

/** Spends the link and signs this browser in with it, ending the session it held: 303 to the portal, or 410. */
async function signInWith(c: PageContext, token: string) {
	const opened = await openAdminLink(c.env, readSettings(c.env), token);
	if (!opened) return linkRefused(c);
	await forgetPortalSession(c);
	setPortalCookie(c, opened.sessionToken, opened.expiresAt);
	// 303 to the portal's home: the token leaves the address bar.
	return c.redirect("/portal", 303);
}

/**
 * A browser signed in to one account opening another's link: anyone can
 * send a link, so a GET alone never switches (it would drop an admin into a
 * stranger's portal, unawares). The page names both accounts and leaves the
 * link unspent; only its form, posted from this page, switches.
 */
function confirmSwitch(c: PageContext, current: PortalSession, target: { uid: string; name: string }, token: string) {
	return c.html(
		<ConfirmPage
			chrome={pageChrome(c, "Switch accounts?")}
			confirmation={{
				heading: "Switch accounts?",
				action: "/portal/sign-in",
				// The token the address bar already holds: posting it back is what spends the link.
				fields: { token },
				confirmLabel: `Continue to ${target.name}`,
				cancelHref: "/portal",
				children: (
					<>
						<p>
							You are signed in to <AccountName account={current} />. Continue to <AccountName account={target} />?
						</p>
						<p>Continuing signs this browser out of {current.name}. Cancel keeps you there, and the link unused.</p>
					</>
				),
			}}
		/>,
	);
}

export const portalPages = new Hono<PageEnv>()
	.use("*", securityHeaders, noStore, usePortalSession, refuseCrossSiteForms)
	.get("/sign-in", async (c) => {
		const token = c.req.query("token") ?? "";
		const viewer = c.var.viewer;
		if (viewer?.kind === "portal") {
			const target = await peekAdminLink(c.env, token);
			if (!target) return linkRefused(c);
			if (target.accountId !== viewer.session.accountId) return confirmSwitch(c, viewer.session, target, token);
		}
		return signInWith(c, token);
	})
	.post("/sign-in", limitBody.other, async (c) => signInWith(c, String((await c.req.parseBody()).token ?? "")))
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
