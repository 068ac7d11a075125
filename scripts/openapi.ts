/**
 * npm run openapi: builds the OpenAPI document (src/openapi/build.ts, from the
 * *.openapi.ts modules and the zod schemas) and writes it to
 * static/api/openapi.json, the static asset the Worker serves at
 * /api/openapi.json; renders it as the reference the Worker shows at
 * /admin/api (src/openapi/reference.tsx) into static/api/reference.html; and
 * rewrites the error-code table in docs/api.md, between its `<!-- error-codes:start -->` and
 * `<!-- error-codes:end -->` markers (missing markers are an error). zod's
 * JSON Schema generator runs here, at build time, never in the Worker.
 *
 * The Worker's modules use extensionless imports and TypeScript that type
 * stripping alone cannot run, so the builder is bundled with esbuild first
 * (the bundler wrangler uses) and imported from that bundle.
 *
 * `npm run openapi -- --check` writes nothing and exits 1 when the committed
 * document, reference or table is stale (test/openapi/document.test.ts checks the same
 * inside workerd). `--docs <file>` names another Markdown file for the table.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { build } from "esbuild";
import { PROJECT_ROOT } from "./lib/localStack.ts";
import { allSamples } from "./lib/samples.ts";

const OUTPUT_PATH = "static/api/openapi.json";
const OUTPUT = `${PROJECT_ROOT}${OUTPUT_PATH}`;
const REFERENCE_PATH = "static/api/reference.html";
const REFERENCE = `${PROJECT_ROOT}${REFERENCE_PATH}`;
const docsArgument = process.argv.indexOf("--docs");
const DOCS = docsArgument === -1 ? `${PROJECT_ROOT}docs/api.md` : process.argv[docsArgument + 1];
const check = process.argv.includes("--check");

function fail(message: string): never {
	console.error(message);
	process.exit(1);
}

const bundle = await build({
	stdin: {
		contents: [
			'export { buildOpenApiDocument } from "./src/openapi/build.ts";',
			'export { withErrorCodeTable } from "./src/openapi/errorCatalogue.ts";',
			'export { referenceHtml } from "./src/openapi/reference.tsx";',
		].join(" "),
		resolveDir: PROJECT_ROOT,
		loader: "ts",
	},
	jsx: "automatic",
	jsxImportSource: "hono/jsx",
	bundle: true,
	write: false,
	format: "esm",
	platform: "neutral",
	mainFields: ["module", "main"],
	logLevel: "warning",
});
const openapi = (await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`)) as {
	buildOpenApiDocument(inputs: { samples: Record<string, string>; description: string }): unknown;
	withErrorCodeTable(markdown: string): string;
	referenceHtml(document: unknown): string;
};
const document = openapi.buildOpenApiDocument({
	samples: Object.fromEntries(allSamples().map((sample) => [sample.type, sample.body])),
	description: readFileSync(`${PROJECT_ROOT}src/openapi/description.md`, "utf8"),
});
const reference = `${openapi.referenceHtml(document)}\n`;

if (!existsSync(DOCS))
	fail(`${DOCS} is missing: it holds the error-code table, between <!-- error-codes:start --> and <!-- error-codes:end -->.`);
const docs = readFileSync(DOCS, "utf8");
let docsWithTable: string;
try {
	docsWithTable = openapi.withErrorCodeTable(docs);
} catch (error) {
	fail(`${DOCS}: ${(error as Error).message}.`);
}

if (check) {
	const stale = [
		...(isDeepStrictEqual(JSON.parse(readFileSync(OUTPUT, "utf8")), document) ? [] : [OUTPUT_PATH]),
		...(existsSync(REFERENCE) && readFileSync(REFERENCE, "utf8") === reference ? [] : [REFERENCE_PATH]),
		...(docsWithTable === docs ? [] : [`the error-code table in ${DOCS}`]),
	];
	if (stale.length) fail(`${stale.join(" and ")} ${stale.length > 1 ? "are" : "is"} stale: run \`npm run openapi\` and commit the result.`);
	console.log(`${OUTPUT_PATH}, ${REFERENCE_PATH} and the error-code table in ${DOCS} are up to date.`);
} else {
	writeFileSync(OUTPUT, JSON.stringify(document));
	// Formatted as Biome formats every other file, so `npm run lint` passes on it.
	const format = spawnSync(`${PROJECT_ROOT}node_modules/.bin/biome`, ["format", "--write", OUTPUT], { stdio: "inherit" });
	if (format.status !== 0) process.exit(format.status ?? 1);
	writeFileSync(REFERENCE, reference);
	writeFileSync(DOCS, docsWithTable);
	console.log(`Wrote ${OUTPUT_PATH}, ${REFERENCE_PATH} and the error-code table in ${DOCS}.`);
}
