/** How the report writes figures: rounding, latencies that may be missing, Markdown tables, and the isolation runs' labels. */
import type { IsolationResult } from "../scenarios/isolation.ts";

export const f0 = (value: number) => value.toFixed(0);
export const f2 = (value: number) => value.toFixed(2);

/** A latency for print: whole ms; for an event still missing when the wait ended, the bound it is known to exceed. */
export function msOrBound(value: number, run: { waitedMs: number }): string {
	if (Number.isNaN(value)) return "n/a";
	return Number.isFinite(value) ? value.toFixed(0) : `>${run.waitedMs.toFixed(0)}`;
}

/** A Markdown table with padded columns, as the formatter (Biome) writes it, so bench/README.md stays lint-clean. */
export function markdownTable(header: string[], rows: string[][]): string[] {
	const widths = header.map((cell, i) => Math.max(3, cell.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
	return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** The three isolation runs, labelled, in the order they ran. */
export function isolationRuns(isolation: IsolationResult) {
	return [
		["alone", isolation.alone],
		[`beside ${isolation.slowReplyMs} ms`, isolation.beside2500ms],
		["beside hanging", isolation.besideHanging],
	] as const;
}
