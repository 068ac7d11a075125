/** Every hand-written module under src/, scripts/ and bench/ stays short enough to read whole: at most 300 lines (as `wc -l` counts them). */
import { expect, it } from "vitest";
import { SOURCES } from "./sources";

const MAX_LINES = 300;

it(`keeps every TypeScript module of src/, scripts/ and bench/ within ${MAX_LINES} lines`, () => {
	const lines = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
	const long = Object.entries(SOURCES)
		.filter(([, text]) => lines(text) > MAX_LINES)
		.map(([path, text]) => `${path}: ${lines(text)} lines`);
	expect(Object.keys(SOURCES).length).toBeGreaterThan(100);
	expect(long).toEqual([]);
});
