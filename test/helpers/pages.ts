/** Helpers for the admin page tests: signed-in page requests and same-origin form posts. */
import { env } from "cloudflare:workers";
import { request } from "./worker";

export const ORIGIN = "http://localhost";

/** A page request signed in with the admin token (the page accepts it like the API). */
export async function page(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}) {
	const headers = new Headers(init.headers);
	if (!headers.has("authorization") && !headers.has("cookie")) headers.set("authorization", `Bearer ${env.ADMIN_TOKEN}`);
	return (await request(path, { ...init, headers, redirect: "manual" }, overrides)).response;
}

/** A same-origin form submission, as the browser sends it. */
export function submit(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
	const body = new URLSearchParams();
	for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
	return page(path, { method: "POST", body, headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded", ...headers } });
}
