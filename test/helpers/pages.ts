/** Helpers for the page tests: signed-in page requests and same-origin form posts. */
import { env } from "cloudflare:workers";
import { type EnvOption, request } from "./worker";

export const ORIGIN = "http://localhost";

/** A page request signed in with the operator's token (the pages accept it like the API). */
export async function page(path: string, init: RequestInit = {}, options: EnvOption = {}) {
	const headers = new Headers(init.headers);
	if (!headers.has("authorization") && !headers.has("cookie")) headers.set("authorization", `Bearer ${env.ADMIN_TOKEN}`);
	return (await request(path, { ...init, headers, redirect: "manual" }, options)).response;
}

/** A same-origin form submission, as the browser sends it; `headers` add to (or replace) its own. */
export function submit(
	path: string,
	fields: Record<string, string | string[]>,
	{ headers = {}, env: overrides }: { headers?: Record<string, string> } & EnvOption = {},
) {
	const body = new URLSearchParams();
	for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
	return page(
		path,
		{ method: "POST", body, headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded", ...headers } },
		{ env: overrides },
	);
}

/** The HTML of the page at `path`, which must answer 200. */
export async function pageHtml(path: string, init: RequestInit = {}): Promise<string> {
	const response = await page(path, init);
	if (response.status !== 200) throw new Error(`${path} answered ${response.status}, not 200`);
	return response.text();
}

/** The text of a page without its tags, spaces collapsed. */
export const pageWords = (html: string) =>
	html
		.replace(/<[^>]+>/g, " ")
		.replace(/&#39;/g, "'")
		.replace(/\s+/g, " ");
