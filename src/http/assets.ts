/** The Worker's static assets (the static/ folder, bound as ASSETS), passed on by the routes that own them. */

/** The asset at `path`, answering the request's conditional headers (ETag), in a response the app's middleware may add headers to. */
export async function staticAsset(env: Env, request: Request, path: string): Promise<Response> {
	const asset = await env.ASSETS.fetch(new Request(new URL(path, request.url), { headers: request.headers }));
	return new Response(asset.body, asset);
}

/** The text of the asset at `path`, for the Worker's own use (the host is irrelevant to the assets binding). */
export async function readAsset(env: Env, path: string): Promise<string> {
	const asset = await env.ASSETS.fetch(new URL(path, "https://assets.invalid"));
	if (!asset.ok) throw new Error(`the static asset ${path} answered ${asset.status}`);
	return asset.text();
}
