/**
 * npm run openapi: builds the OpenAPI document from the zod schemas
 * (src/openapi/build.ts) and writes it to static/api/openapi.json, the
 * static asset the Worker serves at /api/openapi.json and renders at /admin/api.
 * zod's JSON Schema generator runs here, at build time, never in the Worker.
 *
 * The Worker's modules use extensionless imports and TypeScript that type
 * stripping alone cannot run, so the spec is bundled with esbuild first (the
 * bundler wrangler uses) and imported from that bundle.
 *
 * `npm run openapi -- --check` writes nothing and exits 1 when the committed
 * document is stale (test/admin/openapi.test.ts checks the same inside workerd).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { build } from "esbuild";
import { PROJECT_ROOT } from "./lib/localStack.ts";
import { allSamples } from "./lib/samples.ts";

const OUTPUT_PATH = "static/api/openapi.json";
const OUTPUT = `${PROJECT_ROOT}${OUTPUT_PATH}`;

const bundle = await build({
	entryPoints: [`${PROJECT_ROOT}src/openapi/build.ts`],
	bundle: true,
	write: false,
	format: "esm",
	platform: "neutral",
	mainFields: ["module", "main"],
	logLevel: "warning",
});
const spec = (await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`)) as {
	buildOpenApiDocument(samples: Record<string, string>): unknown;
};
const document = spec.buildOpenApiDocument(Object.fromEntries(allSamples().map((sample) => [sample.type, sample.body])));

if (process.argv.includes("--check")) {
	if (!isDeepStrictEqual(JSON.parse(readFileSync(OUTPUT, "utf8")), document)) {
		console.error(`${OUTPUT_PATH} is stale: run \`npm run openapi\` and commit the result.`);
		process.exit(1);
	}
	console.log(`${OUTPUT_PATH} is up to date.`);
} else {
	writeFileSync(OUTPUT, JSON.stringify(document));
	// Formatted as Biome formats every other file, so `npm run lint` passes on it.
	const format = spawnSync(`${PROJECT_ROOT}node_modules/.bin/biome`, ["format", "--write", OUTPUT], { stdio: "inherit" });
	if (format.status !== 0) process.exit(format.status ?? 1);
	console.log(`Wrote ${OUTPUT_PATH}.`);
}
