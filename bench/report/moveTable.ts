/** The move scenario's table (bench/README.md, "Moving an account"): how long the move took, and what ingest answered meanwhile. */
import type { MoveAccountResult } from "../scenarios/moveAccount.ts";
import { markdownTable } from "./format.ts";

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

export function moveTable(move: MoveAccountResult): string[] {
	const { during } = move;
	const statuses = Object.entries(during.statuses)
		.map(([status, count]) => `${count} × ${status}`)
		.join(", ");
	return [
		`Moving an account (${move.events.toLocaleString("en")} events, ${move.endpoints} endpoint each, ${move.from} → ${move.to}, sending ${during.rate} events/s throughout):`,
		"",
		...markdownTable(
			["move", "copying", "switching", "cleaning", "rows copied", "ingest during the move", "503 for", "delivered"],
			[
				[
					seconds(move.moveMs),
					seconds(move.stateMs.copying),
					seconds(move.stateMs.switching),
					seconds(move.stateMs.cleaning),
					move.copiedRows.toLocaleString("en"),
					`${during.events} events: ${statuses}`,
					seconds(during.refusedMs),
					`${move.delivered} of ${move.accepted} (${move.repeated} twice)`,
				],
			],
		),
	];
}
