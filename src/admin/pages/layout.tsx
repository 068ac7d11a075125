/** The frame of every admin page: navigation, sign-out, notices, and the local-development warning. */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { Admin } from "../auth/authenticate";

export interface Chrome {
	title: string;
	current?: "endpoints" | "deliveries";
	admin?: Admin | null;
	notice?: string | null;
	error?: string | null;
	/** ALLOW_PRIVATE_DESTINATIONS is on: say so on every page. */
	privateDestinationsAllowed?: boolean;
}

function SignOut({ admin }: { admin: Admin }) {
	if (admin.via === "access") return <a href="/cdn-cgi/access/logout">Sign out ({admin.email})</a>;
	return (
		<form method="post" action="/admin/sign-out">
			<button type="submit">Sign out</button>
		</form>
	);
}

export function Layout({ chrome, children }: { chrome: Chrome; children?: Child }) {
	const { admin } = chrome;
	return (
		<>
			{raw("<!doctype html>")}
			<html lang="en">
				<head>
					<meta charset="utf-8" />
					<meta name="viewport" content="width=device-width, initial-scale=1" />
					<meta name="referrer" content="no-referrer" />
					<title>{chrome.title} · Hivepost</title>
					<link rel="stylesheet" href="/admin/style.css" />
				</head>
				<body>
					<header class="top">
						<a class="brand" href="/admin">
							Hivepost
						</a>
						{admin && (
							<>
								<a href="/admin" class={chrome.current === "endpoints" ? "current" : ""}>
									Endpoints
								</a>
								<a href="/admin/deliveries" class={chrome.current === "deliveries" ? "current" : ""}>
									Deliveries
								</a>
								<a href="/api/openapi.json">API</a>
								<SignOut admin={admin} />
							</>
						)}
					</header>
					<main>
						{chrome.privateDestinationsAllowed && (
							<p class="warning" role="alert">
								ALLOW_PRIVATE_DESTINATIONS is on: private and local addresses are accepted as destinations. Use this for local development
								only.
							</p>
						)}
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

export function SignInPage({ chrome, accessMode }: { chrome: Chrome; accessMode: boolean }) {
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
						<input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
						<button type="submit" class="primary">
							Sign in
						</button>
						<p>
							<small>The ADMIN_TOKEN secret of this Worker. The session lasts 12 hours.</small>
						</p>
					</form>
				)}
			</section>
		</Layout>
	);
}
