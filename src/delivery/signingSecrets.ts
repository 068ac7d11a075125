/**
 * An endpoint's signing secrets: the current one, and those replaced by
 * rotations, each still signing until its own expiry (stored as JSON
 * `[{"secret", "expires_at"}]`), so receivers can switch over without
 * dropping a delivery however often the secret is rotated.
 */
interface RetiredSecret {
	secret: string;
	expires_at: number;
}

function parse(json: string): RetiredSecret[] {
	return JSON.parse(json) as RetiredSecret[];
}

/** The secrets a delivery is signed with at `now`: the current one first, then every unexpired retired one. */
export function liveSecrets(current: string, retiredJson: string, now: number): string[] {
	return [
		current,
		...parse(retiredJson)
			.filter((entry) => entry.expires_at > now)
			.map((entry) => entry.secret),
	];
}

/** The retired list after `replaced` is rotated out at `now`: it signs for `overlapMs` more; expired ones are dropped. */
export function retire(retiredJson: string, replaced: string, now: number, overlapMs: number): string {
	const stillLive = parse(retiredJson).filter((entry) => entry.expires_at > now);
	return JSON.stringify([{ secret: replaced, expires_at: now + overlapMs }, ...stillLive]);
}

/** When the last retired secret stops signing, or null when none is live. */
export function retiredUntil(retiredJson: string, now: number): number | null {
	const live = parse(retiredJson).filter((entry) => entry.expires_at > now);
	return live.length ? Math.max(...live.map((entry) => entry.expires_at)) : null;
}
