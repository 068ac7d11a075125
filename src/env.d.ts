// Secrets are not in wrangler.toml, so `wrangler types` cannot see them; they
// may be missing at run time, which config.ts turns into a 503.
interface HivepostSecrets {
	ADMIN_TOKEN?: string;
	INGEST_TOKEN?: string;
	/** When set, ingest requests must carry Standard Webhooks signatures made with it. */
	INGEST_SIGNING_SECRET?: string;
}
interface Env extends HivepostSecrets {}
declare namespace Cloudflare {
	interface Env extends HivepostSecrets {}
}
