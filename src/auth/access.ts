/**
 * Cloudflare Access mode: when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set, the
 * `Cf-Access-Jwt-Assertion` header Access adds to every request signs the
 * operator in. The JWT is verified with Hono's JWT utilities (WebCrypto) against
 * the team's published keys: RS256 signature, issuer, audience, expiry.
 */
import { decode, verifyWithJwks } from "hono/jwt";

export interface AccessSettings {
	/** e.g. `myteam.cloudflareaccess.com` */
	teamDomain: string;
	/** The Access application's AUD tag. */
	audience: string;
}

export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion";

/** Access mode's settings, or null when it is off (either setting empty). */
export function accessSettings(env: Env): AccessSettings | null {
	const teamDomain = (env.ACCESS_TEAM_DOMAIN ?? "")
		.trim()
		.replace(/^https?:\/\//, "")
		.replace(/\/+$/, "");
	const audience = (env.ACCESS_AUD ?? "").trim();
	return teamDomain && audience ? { teamDomain, audience } : null;
}

type PublicKey = JsonWebKey & { kid?: string };

/** Keys are re-fetched after this long, so a revoked key stops working. */
const KEYS_FRESH_MS = 10 * 60_000;
/** A token naming an unknown key (Access rotated its keys) re-fetches them, at most this often, so bad tokens cannot flood the certs URL. */
const REFETCH_COOLDOWN_MS = 30_000;

// One key set per team, kept across requests.
const keySets = new Map<string, { keys: PublicKey[]; fetchedAt: number }>();

async function keysFor(teamDomain: string, kid: unknown): Promise<PublicKey[]> {
	const cached = keySets.get(teamDomain);
	const age = cached ? Date.now() - cached.fetchedAt : Number.POSITIVE_INFINITY;
	const known = cached?.keys.some((key) => key.kid === kid) ?? false;
	if (cached && age < (known ? KEYS_FRESH_MS : REFETCH_COOLDOWN_MS)) return cached.keys;
	const response = await fetch(`https://${teamDomain}/cdn-cgi/access/certs`);
	if (!response.ok) throw new Error(`Access certs answered ${response.status}`);
	const { keys } = await response.json<{ keys?: unknown }>();
	if (!Array.isArray(keys)) throw new Error("Access certs hold no key list");
	keySets.set(teamDomain, { keys, fetchedAt: Date.now() });
	return keys;
}

/** Who the Access JWT says signed in, or null when it is invalid, expired or for another application. */
export async function verifyAccessJwt(token: string, settings: AccessSettings): Promise<{ email: string } | null> {
	try {
		const keys = await keysFor(settings.teamDomain, decode(token).header.kid);
		const payload = await verifyWithJwks(token, {
			keys,
			allowedAlgorithms: ["RS256"],
			verification: { iss: `https://${settings.teamDomain}`, aud: settings.audience },
		});
		if (typeof payload.exp !== "number") return null;
		return { email: typeof payload.email === "string" ? payload.email : String(payload.sub ?? "unknown") };
	} catch {
		return null;
	}
}
