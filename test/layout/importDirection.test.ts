/**
 * Imports point one way (the README's folder table): a module of src/ imports
 * only from its own folder and from the places below its own, a type-only
 * import included. The OpenAPI document's sources (src/openapi/ and every
 * *.openapi.ts) run at build time only: they may import anything, and nothing
 * else imports them.
 */
import { describe, expect, it } from "vitest";
import { SOURCES } from "./sources";

/** Each place's rank, lowest first: a module may import from lower ranks only (and from its own place). */
const RANKS: Record<string, number> = {
	// Neutral helpers, then the facts everything reads (settings, event types, samples: the modules at the top of src/).
	lib: 0,
	facts: 1,
	db: 2,
	security: 2,
	// http/ sits above db/: its account-scope middleware sets the scope and reads the directory.
	http: 3,
	// The stages.
	delivery: 4,
	retry: 5,
	ingest: 6,
	// The domains (alerts/: operational messages, stored through ingest's store).
	alerts: 7,
	endpoints: 7,
	accounts: 8,
	reports: 8,
	// The surfaces: pages/ reads the served OpenAPI document through api/.
	auth: 9,
	api: 10,
	pages: 11,
	"app.ts": 12,
	"index.ts": 13,
};

const isBuildTime = (path: string) => path.startsWith("src/openapi/") || path.endsWith(".openapi.ts");

/** Where a module of src/ sits: its folder; at the top of src/, app.ts, index.ts, or the facts. */
function placeOf(path: string): string {
	const [first, ...rest] = path.slice("src/".length).split("/");
	return rest.length || first === "app.ts" || first === "index.ts" ? first : "facts";
}

/** The module a relative specifier names, as a path from the repository's root (without extension). */
function resolve(from: string, specifier: string): string {
	const parts = from.split("/").slice(0, -1);
	for (const part of specifier.split("/")) {
		if (part === "..") parts.pop();
		else if (part !== ".") parts.push(part);
	}
	return parts.join("/");
}

const IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g;

/** Every import of a module of src/ that points the wrong way, as "importer → imported". */
function backImports(sources: Record<string, string>): string[] {
	const modules = Object.keys(sources).filter((path) => path.startsWith("src/"));
	const found = (base: string) => modules.find((path) => path === base || path.replace(/\.(ts|tsx)$/, "") === base);
	const wrong: string[] = [];
	for (const importer of modules) {
		if (isBuildTime(importer)) continue;
		for (const [, specifier] of sources[importer].matchAll(IMPORT)) {
			const imported = found(resolve(importer, specifier));
			// package.json and the like: not a module of Hivepost's.
			if (!imported) continue;
			const [from, to] = [placeOf(importer), placeOf(imported)];
			const allowed = !isBuildTime(imported) && (from === to || RANKS[to] < RANKS[from]);
			if (!allowed) wrong.push(`${importer} → ${imported}`);
		}
	}
	return wrong;
}

describe("imports in src/", () => {
	it("come from a place with a rank, each", () => {
		const places = new Set(
			Object.keys(SOURCES)
				.filter((path) => path.startsWith("src/") && !isBuildTime(path))
				.map(placeOf),
		);
		expect([...places].filter((place) => RANKS[place] === undefined)).toEqual([]);
	});

	it("point one way: down the layers, never to the OpenAPI document's sources", () => {
		expect(backImports(SOURCES)).toEqual([]);
	});

	it("are found, type-only ones included (the check itself, on a deliberate back-import)", () => {
		const sources = {
			"src/lib/chunk.ts": 'import type { Settings } from "../config";\nimport { app } from "../app";',
			"src/config.ts": "",
			"src/app.ts": 'import { endpointsDoc } from "./api/endpoints.openapi";',
			"src/api/endpoints.openapi.ts": 'import { app } from "../app";',
		};
		expect(backImports(sources)).toEqual([
			"src/lib/chunk.ts → src/config.ts",
			"src/lib/chunk.ts → src/app.ts",
			"src/app.ts → src/api/endpoints.openapi.ts",
		]);
	});
});
