/** The README stays one a newcomer reads to the end (issue 16): at most 15,360 bytes, as `wc -c` counts them; the rest lives in docs/. */
import { expect, it } from "vitest";

const MAX_BYTES = 15_360;

const [readme] = Object.values(import.meta.glob<string>("../../README.md", { query: "?raw", import: "default", eager: true }));

it(`keeps the README within ${MAX_BYTES.toLocaleString("en")} bytes`, () => {
	expect(new TextEncoder().encode(readme).length).toBeLessThanOrEqual(MAX_BYTES);
});
