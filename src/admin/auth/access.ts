/**
 * Cloudflare Access mode: when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set, the
 * `Cf-Access-Jwt-Assertion` header Access adds to every request signs the
 * admin in. The JWT is verified with jose against the team's published keys
 * (signature, issuer, audience, expiry).
 */
import { createRemoteJWKSet, jwtVerify } from "jose";

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

// One key set per team, kept across requests so the keys are fetched once and re-fetched only when they rotate.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetFor(teamDomain: string) {
	let keySet = keySets.get(teamDomain);
	if (!keySet) {
		keySet = createRemoteJWKSet(new URL(`https://${teamDomain}/cdn-cgi/access/certs`));
		keySets.set(teamDomain, keySet);
	}
	return keySet;
}

/** Who the Access JWT says signed in, or null when it is invalid, expired or for another application. */
export async function verifyAccessJwt(token: string, settings: AccessSettings): Promise<{ email: string } | null> {
	try {
		const { payload } = await jwtVerify(token, keySetFor(settings.teamDomain), {
			issuer: `https://${settings.teamDomain}`,
			audience: settings.audience,
			requiredClaims: ["exp"],
		});
		return { email: typeof payload.email === "string" ? payload.email : String(payload.sub ?? "unknown") };
	} catch {
		return null;
	}
}
