/** Calls the admin JSON API with the admin token, returning the response. */
import { operatorHeaders, request } from "./worker";

export async function api(
	path: string,
	method = "GET",
	body?: unknown,
	headers: Record<string, string> = operatorHeaders,
	overrides: Partial<Env> = {},
) {
	const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
	return (await request(`/api${path}`, init, overrides)).response;
}

/** The same, also returning the recording queue the request used. */
export async function apiWithQueue(path: string, method: string, body?: unknown) {
	return request(`/api${path}`, { method, headers: operatorHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
	return (await response.json()) as T;
}
