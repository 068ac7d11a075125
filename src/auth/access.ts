/**
 * Cloudflare Access mode: when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set, the
 * `Cf-Access-Jwt-Assertion` header Access adds to every request signs the
 * operator in. The JWT is verified with WebCrypto against the team's
 * published keys: an RS256 signature by the key it names, issuer, audience,
 * expiry (required), not-before and issued-at. Written out here rather than
 * with Hono's JWT utilities: the one algorithm Access uses takes a few lines,
 * theirs 8 KB of the Worker's bundle.
 */

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

function base64url(part: string): Uint8Array {
	const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
	return Uint8Array.from(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "=")), (char) => char.charCodeAt(0));
}

const json = (part: string) => JSON.parse(new TextDecoder().decode(base64url(part)));

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

/** The claims hold now, for this team and application. */
function claimsHold(payload: Record<string, unknown>, settings: AccessSettings): boolean {
	const now = Date.now() / 1000;
	const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
	return (
		typeof payload.exp === "number" &&
		payload.exp > now &&
		!(typeof payload.nbf === "number" && payload.nbf > now) &&
		!(typeof payload.iat === "number" && payload.iat > now) &&
		payload.iss === `https://${settings.teamDomain}` &&
		audiences.includes(settings.audience)
	);
}

/** Who the Access JWT says signed in, or null when it is invalid, expired or for another application. */
export async function verifyAccessJwt(token: string, settings: AccessSettings): Promise<{ email: string } | null> {
	try {
		const [header, payload, signature, ...rest] = token.split(".");
		const { alg, kid } = json(header);
		if (rest.length || alg !== "RS256") return null;
		const jwk = (await keysFor(settings.teamDomain, kid)).find((key) => key.kid === kid);
		if (!jwk) return null;
		const key = await crypto.subtle.importKey("jwk", jwk, RS256, false, ["verify"]);
		const signed = new TextEncoder().encode(`${header}.${payload}`);
		if (!(await crypto.subtle.verify(RS256, key, base64url(signature), signed))) return null;
		const claims = json(payload);
		if (!claimsHold(claims, settings)) return null;
		return { email: typeof claims.email === "string" ? claims.email : String(claims.sub ?? "unknown") };
	} catch {
		return null;
	}
}
