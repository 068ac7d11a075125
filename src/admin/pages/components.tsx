/** Small pieces the admin pages share: times with relative hints, status badges, percentages. */
import type { Child } from "hono/jsx";

const UNITS: [number, string][] = [
	[24 * 60 * 60 * 1000, "d"],
	[60 * 60 * 1000, "h"],
	[60 * 1000, "min"],
	[1000, "s"],
];

/** "3 min ago", "in 2 h": the largest whole unit. */
export function relativeTime(ms: number, now = Date.now()): string {
	const delta = ms - now;
	const size = Math.abs(delta);
	if (size < 5000) return "just now";
	const [unit, name] = UNITS.find(([length]) => size >= length) ?? UNITS[UNITS.length - 1];
	const amount = Math.floor(size / unit);
	return delta < 0 ? `${amount} ${name} ago` : `in ${amount} ${name}`;
}

/** An ISO time with a relative hint; a dash when there is none. */
export function Time({ at }: { at: string | number | null }) {
	if (at === null) return <span class="muted">—</span>;
	const ms = typeof at === "number" ? at : Date.parse(at);
	const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
	return (
		<span>
			<time datetime={iso}>{iso}</time> <small>({relativeTime(ms)})</small>
		</span>
	);
}

export function Badge({ kind, children }: { kind: string; children?: Child }) {
	return <span class={`badge ${kind}`}>{children ?? kind}</span>;
}

export function percent(rate: number | null): string {
	return rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

/** A form that POSTs to `action` with one button (and optional hidden fields). */
export function ActionButton(props: { action: string; label: string; kind?: string; fields?: Record<string, string> }) {
	return (
		<form class="inline" method="post" action={props.action}>
			{Object.entries(props.fields ?? {}).map(([name, value]) => (
				<input type="hidden" name={name} value={value} />
			))}
			<button type="submit" class={props.kind}>
				{props.label}
			</button>
		</form>
	);
}
