/**
 * The frame of every page: navigation (with `aria-current`), the account the
 * pages act on, sign-out, notices and errors, and the local-development
 * warning. Plus the pages that stand alone: sign-in and short messages.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { FailingEndpoint } from "../../endpoints/endpointHealth";
import type { Viewer } from "../context";
import { FailingBanner } from "./failingBanner";

export const STYLESHEET_PATH = "/assets/hivepost.css";

export type Section = "endpoints" | "deliveries" | "events" | "accounts" | "system" | "api";

export interface Chrome {
	title: string;
	current?: Section;
	/** Where the account's pages live (`/admin`, `/admin/accounts/{uid}`, `/portal`); absent on pages of no account. */
	base?: string;
	viewer?: Viewer | null;
	/** The account acted on, named in the header. */
	account?: { uid: string; name: string } | null;
	notice?: string | null;
	/** The card (its heading's id) the notice is about: it shows there too. */
	noticeCard?: string | null;
	error?: string | null;
	/** The card whose form the error refused: it shows there too. */
	errorCard?: string | null;
	/** ALLOW_PRIVATE_DESTINATIONS is on: say so on every page. */
	privateDestinationsAllowed?: boolean;
	/** Where the brand leads: the viewer's home by default; null for no link (a signed-out account admin has nowhere to go). */
	home?: string | null;
	/** The account's failing endpoints, named in a banner on each of its pages (with Resend unless read-only). */
	failing?: { endpoints: FailingEndpoint[]; readOnly: boolean };
}

/** An account as people tell it apart: its name, and its uid where that differs. */
export function AccountName({ account }: { account: { uid: string; name: string } }) {
	return (
		<>
			{account.name}
			{account.name !== account.uid && <small> ({account.uid})</small>}
		</>
	);
}

function SignOut({ viewer }: { viewer: Viewer }) {
	if (viewer.kind === "operator" && viewer.operator.via === "access")
		return (
			<a class="sign-out" href="/cdn-cgi/access/logout">
				Sign out ({viewer.operator.email})
			</a>
		);
	return (
		<form class="sign-out" method="post" action={viewer.kind === "portal" ? "/portal/sign-out" : "/admin/sign-out"}>
			<button type="submit">Sign out</button>
		</form>
	);
}

function NavLink({ href, section, current, children }: { href: string; section: Section; current?: Section; children: Child }) {
	return (
		<a href={href} aria-current={section === current ? "page" : undefined}>
			{children}
		</a>
	);
}

function Navigation({ chrome }: { chrome: Chrome }) {
	const { viewer, base, current } = chrome;
	if (!viewer) return null;
	const operator = viewer.kind === "operator";
	return (
		<nav aria-label="Main">
			{base && (
				<>
					<NavLink href={base} section="endpoints" current={current}>
						Endpoints
					</NavLink>
					<NavLink href={`${base}/deliveries`} section="deliveries" current={current}>
						Deliveries
					</NavLink>
					<NavLink href={`${base}/events`} section="events" current={current}>
						Events
					</NavLink>
				</>
			)}
			{operator && (
				<>
					<NavLink href="/admin/accounts" section="accounts" current={current}>
						Accounts
					</NavLink>
					<NavLink href="/admin/system" section="system" current={current}>
						System
					</NavLink>
					<NavLink href="/admin/api" section="api" current={current}>
						API
					</NavLink>
				</>
			)}
		</nav>
	);
}

export function Layout({ chrome, children }: { chrome: Chrome; children?: Child }) {
	const { viewer, account } = chrome;
	const home = chrome.home === undefined ? (viewer?.kind === "portal" ? "/portal" : "/admin") : chrome.home;
	return (
		<>
			{raw("<!doctype html>")}
			<html lang="en">
				<head>
					<meta charset="utf-8" />
					<meta name="viewport" content="width=device-width, initial-scale=1" />
					<meta name="referrer" content="no-referrer" />
					<title>{account ? `${chrome.title} · ${account.name} · Hivepost` : `${chrome.title} · Hivepost`}</title>
					<link rel="stylesheet" href={STYLESHEET_PATH} />
				</head>
				<body>
					<header class="top">
						{home ? (
							<a class="brand" href={home}>
								Hivepost
							</a>
						) : (
							<span class="brand">Hivepost</span>
						)}
						{account && (
							<span class="account">
								<AccountName account={account} />
							</span>
						)}
						<Navigation chrome={chrome} />
						{viewer && <SignOut viewer={viewer} />}
					</header>
					<main>
						{chrome.privateDestinationsAllowed && (
							<p class="warning" role="alert">
								ALLOW_PRIVATE_DESTINATIONS is on: private and local addresses are accepted as destinations. Use this for local development
								only.
							</p>
						)}
						{chrome.failing && chrome.base && <FailingBanner failing={chrome.failing} base={chrome.base} />}
						{chrome.notice && (
							<p class="notice" role="status">
								{chrome.notice}
							</p>
						)}
						{chrome.error && (
							<p class="error" role="alert">
								{chrome.error}
							</p>
						)}
						{children}
					</main>
				</body>
			</html>
		</>
	);
}

/** The operator's sign-in; `error` is tied to the token field. */
export function SignInPage({ chrome, accessMode, error }: { chrome: Chrome; accessMode: boolean; error?: string }) {
	return (
		<Layout chrome={chrome}>
			<section class="card signin">
				<h1>Sign in</h1>
				{accessMode ? (
					<p>
						This Hivepost is protected by Cloudflare Access. Open it through your Access application to sign in; if you just did, your
						Access session may have expired: reload the page.
					</p>
				) : (
					<form method="post" action="/admin/sign-in">
						<label for="token">Admin token</label>
						<input
							id="token"
							name="token"
							type="password"
							autocomplete="current-password"
							required
							autofocus
							aria-invalid={error ? "true" : undefined}
							aria-describedby={error ? "token-error token-hint" : "token-hint"}
						/>
						{error && (
							<p id="token-error" class="field-error">
								{error}
							</p>
						)}
						<button type="submit" class="primary">
							Sign in
						</button>
						<p id="token-hint">
							<small>The ADMIN_TOKEN secret of this Worker. The session lasts 12 hours.</small>
						</p>
					</form>
				)}
			</section>
		</Layout>
	);
}

/** A page that only says something: a refused link, a missing session. */
export function MessagePage({ chrome, heading, children }: { chrome: Chrome; heading: string; children?: Child }) {
	return (
		<Layout chrome={chrome}>
			<section class="card signin">
				<h1>{heading}</h1>
				{children}
			</section>
		</Layout>
	);
}
