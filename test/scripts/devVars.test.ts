/** The .dev.vars that `npm run dev` writes or completes (scripts/lib/devVars.ts). */
import { describe, expect, it } from "vitest";
import { completeDevVars, parseDevVars } from "../../scripts/lib/devVars";

/** Secrets numbered in the order they were made. */
function secrets() {
	let made = 0;
	return () => `secret-${++made}`;
}

describe(".dev.vars for npm run dev", () => {
	it("is written with both tokens and private destinations allowed when missing", () => {
		const { text, added } = completeDevVars(null, secrets());
		expect(added).toEqual(["ADMIN_TOKEN", "INGEST_TOKEN"]);
		expect(parseDevVars(text)).toEqual({ ADMIN_TOKEN: "secret-1", INGEST_TOKEN: "secret-2", ALLOW_PRIVATE_DESTINATIONS: "true" });
	});

	it("gets the tokens it lacks added, keeping every line it had", () => {
		const existing = "# mine\nALLOW_PRIVATE_DESTINATIONS=true\nRETRY_INTERVAL_SECONDS=4";
		const { text, added } = completeDevVars(existing, secrets());
		expect(added).toEqual(["ADMIN_TOKEN", "INGEST_TOKEN"]);
		expect(text.startsWith(`${existing}\n`)).toBe(true);
		expect(parseDevVars(text)).toEqual({
			ALLOW_PRIVATE_DESTINATIONS: "true",
			RETRY_INTERVAL_SECONDS: "4",
			ADMIN_TOKEN: "secret-1",
			INGEST_TOKEN: "secret-2",
		});
	});

	it("gets only the token that is missing or empty, and keeps the one it has", () => {
		const { text, added } = completeDevVars('ADMIN_TOKEN="kept"\nINGEST_TOKEN=\n', secrets());
		expect(added).toEqual(["INGEST_TOKEN"]);
		expect(text).toBe('ADMIN_TOKEN="kept"\n# Added by `npm run dev`: local development secrets only.\nINGEST_TOKEN=secret-1\n');
	});

	it("is left as it is when it has both tokens", () => {
		const existing = "ADMIN_TOKEN=a\nINGEST_TOKEN=b\n";
		expect(completeDevVars(existing, secrets())).toEqual({ text: existing, added: [] });
	});
});
