/**
 * The Worker's bundle, as `npm run build` makes it (wrangler deploy
 * --dry-run): the OpenAPI document's sources stay out of it. No module of
 * src/openapi/ nor any *.openapi.ts is in it, nor the response schemas the
 * view types derive from (imported as types only), nor any description the
 * document holds (zod registers a description where its schema is made, so
 * one written into a Worker's schema would ride along).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/lib/localStack.ts";

/** Modules only the OpenAPI build may load. */
const BUILD_TIME_ONLY = /src\/(openapi\/|.*\.openapi\.ts$|.*Responses?\.ts$|http\/errorBody\.ts$|lib\/schemaParts\.ts$)/;

let outdir: string;
let bundle: string;
let modules: string[];

beforeAll(() => {
	outdir = mkdtempSync(join(tmpdir(), "hivepost-bundle-"));
	execFileSync(`${PROJECT_ROOT}node_modules/.bin/wrangler`, ["deploy", "--dry-run", "--outdir", outdir], {
		cwd: PROJECT_ROOT,
		stdio: "pipe",
	});
	bundle = readFileSync(join(outdir, "index.js"), "utf8");
	// The source map names every module the bundle was made of (wrangler.toml uploads source maps).
	modules = (JSON.parse(readFileSync(join(outdir, "index.js.map"), "utf8")) as { sources: string[] }).sources;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the Worker's bundle", () => {
	it("is made of the Worker's modules, none of them the OpenAPI document's sources", () => {
		expect(modules.some((module) => module.endsWith("src/index.ts"))).toBe(true);
		expect(modules.filter((module) => BUILD_TIME_ONLY.test(module))).toEqual([]);
	});

	it("holds none of the document's descriptions", () => {
		const document = JSON.parse(readFileSync(`${PROJECT_ROOT}static/api/openapi.json`, "utf8"));
		const descriptions = new Set<string>();
		const collect = (value: unknown): void => {
			if (Array.isArray(value)) value.forEach(collect);
			else if (typeof value === "object" && value !== null) {
				for (const [key, member] of Object.entries(value)) {
					// Shorter ones ("Deleted.") could be any page's words.
					if (key === "description" && typeof member === "string" && member.length >= 16) descriptions.add(member);
					else collect(member);
				}
			}
		};
		collect(document);
		expect(descriptions.size).toBeGreaterThan(100);
		expect([...descriptions].filter((description) => bundle.includes(description))).toEqual([]);
	});
});
