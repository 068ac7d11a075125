/**
 * The `.dev.vars` that `npm run dev` needs: written with fresh local secrets
 * when missing, and given whichever token it lacks when it exists (otherwise
 * the tokens printed would read "Bearer undefined"). Pure functions of the
 * file's text, so they are tested without touching a developer's file.
 */

/** The tokens `npm run dev` prints and signs in with. */
export const DEV_TOKENS = ["ADMIN_TOKEN", "INGEST_TOKEN"] as const;

/** The settings in a dotenv text (`KEY=value`, optionally quoted); a later line wins, as in wrangler. */
export function parseDevVars(text: string): Record<string, string> {
	const values: Record<string, string> = {};
	for (const line of text.split("\n")) {
		const match = line.match(/^\s*([A-Z_]+)\s*=\s*"?(.*?)"?\s*$/);
		if (match) values[match[1]] = match[2];
	}
	return values;
}

/**
 * `.dev.vars` as it should be, from its current text (null when there is no
 * file), with `secret()` for each token it lacks (absent or empty), and which
 * tokens were added.
 */
export function completeDevVars(text: string | null, secret: () => string): { text: string; added: string[] } {
	if (text === null) {
		const lines = [
			"# Local development settings, made by `npm run dev`. Never use these values in production.",
			...DEV_TOKENS.map((token) => `${token}=${secret()}`),
			"# Local receivers listen on 127.0.0.1, which production refuses.",
			"ALLOW_PRIVATE_DESTINATIONS=true",
		];
		return { text: `${lines.join("\n")}\n`, added: [...DEV_TOKENS] };
	}
	const values = parseDevVars(text);
	const added = DEV_TOKENS.filter((token) => !values[token]);
	if (!added.length) return { text, added };
	const kept = text.split("\n").filter((line) => !added.some((token) => new RegExp(`^\\s*${token}\\s*=`).test(line)));
	const lines = [
		...(kept.join("\n").trimEnd() ? [kept.join("\n").trimEnd()] : []),
		"# Added by `npm run dev`: local development secrets only.",
		...added.map((token) => `${token}=${secret()}`),
	];
	return { text: `${lines.join("\n")}\n`, added };
}
