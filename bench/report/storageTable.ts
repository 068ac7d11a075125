/** The storage scenario's table and targets (bench/README.md, "Storage"): bytes in use per event, by where they are. */
import type { StorageResult, StorageSet } from "../scenarios/storage.ts";
import { STORAGE_BEFORE } from "../settings.ts";
import { f0, markdownTable } from "./format.ts";
import type { Target } from "./targets.ts";

/** Where a table or index's bytes are counted: the event, the delivery rows, their index entries, the attempts, the rest. */
const PARTS = ["events", "deliveries", "delivery indexes", "attempts", "other"] as const;

function partOf(name: string): (typeof PARTS)[number] {
	if (/^(sqlite_autoindex_)?events/.test(name)) return "events";
	if (/^(sqlite_autoindex_)?deliveries_(endpoint|unfinished)/.test(name)) return "delivery indexes";
	if (/^(sqlite_autoindex_)?deliveries/.test(name)) return "deliveries";
	if (/^(sqlite_autoindex_)?attempts/.test(name)) return "attempts";
	return "other";
}

function byPart(byName: Record<string, number>): Record<(typeof PARTS)[number], number> {
	const parts = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<(typeof PARTS)[number], number>;
	for (const [name, bytes] of Object.entries(byName)) parts[partOf(name)] += bytes;
	return parts;
}

const SETS: [StorageSet, string][] = [
	["supportbee", "SupportBee samples"],
	["tickets", "tickets of ~4.5 KB"],
];

export function storageTable(storage: StorageResult): string[] {
	return markdownTable(
		["storage per event (N=10)", "events", "mean body", "bytes/event", "before", ...PARTS],
		SETS.map(([set, label]) => {
			const run = storage[set];
			const parts = byPart(run.byName);
			return [
				label,
				String(run.events),
				f0(run.meanBodyBytes),
				f0(run.bytesPerEvent),
				f0(STORAGE_BEFORE[set]),
				...PARTS.map((part) => f0(parts[part])),
			];
		}),
	);
}

export function storageTargets(storage: StorageResult): Target[] {
	const thirds = SETS.map(([set]) => storage[set].bytesPerEvent / STORAGE_BEFORE[set]);
	return [
		{
			target: `storage per event at N=${storage.n} <= a third of the layout before issue 17, on both sets`,
			measured: SETS.map(([set], i) => `${set} ${f0(storage[set].bytesPerEvent)} B (${thirds[i].toFixed(2)}x)`).join(", "),
			met: thirds.every((ratio) => ratio <= 1 / 3),
		},
		{
			target: `storage per event at N=${storage.n} <= 3 KB on the ~4.5 KB tickets`,
			measured: `${f0(storage.tickets.bytesPerEvent)} B`,
			met: storage.tickets.bytesPerEvent <= 3 * 1024,
		},
	];
}
