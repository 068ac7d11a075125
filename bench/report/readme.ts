/**
 * The Results section of bench/README.md, between its results markers: a full
 * run replaces it, so the committed table is always the committed run's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { PROJECT_ROOT } from "../../scripts/lib/localStack.ts";
import { type Results, resultsName } from "./results.ts";

const RESULTS_START = "<!-- results:start (written by npm run bench) -->";
const RESULTS_END = "<!-- results:end -->";

/** Replaces the section with the machine, its load, `tables` and links to the run's chart and figures. */
export function writeReadmeResults(results: Results, tables: string): void {
	const { machine } = results;
	const name = resultsName(results);
	const readme = `${PROJECT_ROOT}bench/README.md`;
	const section = [
		RESULTS_START,
		`Run of ${results.date} (${results.durationSeconds} s): ${machine.nproc} cores (\`nproc\`), CPU \`${machine.cpuModel}\`, Node ${machine.node}.`,
		"",
		"```",
		`$ free -h\n${machine.memory}`,
		`$ uptime   # before\n${machine.loadBefore}`,
		`$ uptime   # after\n${machine.loadAfter}`,
		"```",
		"",
		tables,
		"",
		`![Throughput chart](results/${name}.svg)  \nFigures: [results/${name}.json](results/${name}.json).`,
		RESULTS_END,
	].join("\n");
	const text = readFileSync(readme, "utf8");
	const start = text.indexOf(RESULTS_START);
	const end = text.indexOf(RESULTS_END);
	if (start < 0 || end < 0) throw new Error(`bench/README.md lacks the ${RESULTS_START} … ${RESULTS_END} markers`);
	writeFileSync(readme, text.slice(0, start) + section + text.slice(end + RESULTS_END.length));
}
