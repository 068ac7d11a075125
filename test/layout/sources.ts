/** The repository's hand-written TypeScript, as text by path ("src/app.ts"), for the tests of the layout. Bundled by Vite (import.meta.glob). */
const FILES = import.meta.glob<string>(["../../src/**/*.{ts,tsx}", "../../scripts/**/*.{ts,tsx}", "../../bench/**/*.{ts,tsx}"], {
	query: "?raw",
	import: "default",
	eager: true,
});

export const SOURCES: Record<string, string> = Object.fromEntries(
	Object.entries(FILES).map(([path, text]) => [path.replace(/^(\.\.\/)+/, ""), text]),
);
