/** Calls the operator's JSON API (/api…) with the operator's token. */
import { type EnvOption, operatorHeaders, request } from "./worker";

/** What a call to the API sends: its method (GET by default), a JSON body, other headers, and env overrides. */
export interface ApiCall extends EnvOption {
	method?: string;
	body?: unknown;
	headers?: Record<string, string>;
}

function apiRequest(path: string, { method = "GET", body, headers = operatorHeaders, env }: ApiCall) {
	return request(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, { env });
}

export async function api(path: string, call: ApiCall = {}) {
	return (await apiRequest(path, call)).response;
}

/** The same, also returning the recording queue the request used. */
export async function apiWithQueue(path: string, call: ApiCall = {}) {
	return apiRequest(path, call);
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
	return (await response.json()) as T;
}
