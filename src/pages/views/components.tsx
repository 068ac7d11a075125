/** Small pieces the pages share: UTC times with relative hints, badges, rates, action buttons, field errors. */
import type { Child } from "hono/jsx";
import type { DeliveryState } from "../../delivery/deliveryStateResponse";

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

/** Every time on every page in one format: "2026-11-28 09:30:00 UTC". */
function utc(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A time in UTC with a relative hint; a dash when there is none. */
export function Time({ at }: { at: string | number | null }) {
	if (at === null) return <span class="muted">—</span>;
	const ms = typeof at === "number" ? at : Date.parse(at);
	return (
		<span>
			<time datetime={new Date(ms).toISOString()}>{utc(ms)}</time> <small>({relativeTime(ms)})</small>
		</span>
	);
}

export function Badge({ kind, children }: { kind: string; children?: Child }) {
	return <span class={`badge ${kind}`}>{children ?? kind}</span>;
}

export function percent(rate: number | null): string {
	return rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`;
}

const STATE_LABELS: Record<DeliveryState["state"], string> = {
	healthy: "healthy",
	slow: "slow: isolated",
	isolated: "unresponsive: isolated",
	saturated: "saturated",
	throttled: "throttled: account over its share",
};

/** Why an endpoint's deliveries wait, in words: its state, until when, what is in flight, what waits. */
export function DeliveryStateSummary({ state }: { state: DeliveryState }) {
	return (
		<div>
			<Badge kind={`state-${state.state}`}>{STATE_LABELS[state.state]}</Badge>
			{state.until && (
				<small>
					{" "}
					until <Time at={state.until} />
				</small>
			)}
			<div>
				<small>
					{state.in_flight} in flight
					{state.oldest_waiting_at && (
						<>
							{" "}
							· oldest waiting since <Time at={state.oldest_waiting_at} />
						</>
					)}
				</small>
			</div>
		</div>
	);
}

/**
 * A form that POSTs to `action` with one button (and optional hidden fields).
 * `name` is the button's accessible name when its visible label alone would
 * not say what it acts on (e.g. "Disable https://…").
 */
export function ActionButton(props: { action: string; label: string; name?: string; kind?: string; fields?: Record<string, string> }) {
	return (
		<form class="inline" method="post" action={props.action}>
			{Object.entries(props.fields ?? {}).map(([field, value]) => (
				<input type="hidden" name={field} value={value} />
			))}
			<button type="submit" class={props.kind} aria-label={props.name}>
				{props.label}
			</button>
		</form>
	);
}

/** The attributes that tie an input to its error message (WCAG: errors identified, in text, next to their field). */
export function invalidProps(id: string, error: string | undefined) {
	return error ? { "aria-invalid": "true" as const, "aria-describedby": `${id}-error` } : {};
}

export function FieldError({ id, error }: { id: string; error?: string }) {
	return error ? (
		<p id={`${id}-error`} class="field-error">
			{error}
		</p>
	) : null;
}

/** A list page's filter: a visible label, then "any" and the choices, the current one selected. */
export function FilterSelect(props: {
	name: string;
	label: string;
	value?: string;
	options: readonly (string | { value: string; label: string })[];
}) {
	const id = `filter-${props.name}`;
	return (
		<span class="filter">
			<label for={id}>{props.label}</label>
			<select name={props.name} id={id}>
				<option value="">any</option>
				{props.options.map((option) => {
					const { value, label } = typeof option === "string" ? { value: option, label: option } : option;
					return (
						<option value={value} selected={value === props.value}>
							{label}
						</option>
					);
				})}
			</select>
		</span>
	);
}

/** The link to a list's next page: the same filters, the page's cursor; nothing on the last page. */
export function NextPageLink(props: { path: string; filter: Record<string, string | undefined>; cursor: string | null; label: string }) {
	if (!props.cursor) return null;
	const query = new URLSearchParams(
		Object.entries({ ...props.filter, cursor: props.cursor }).filter((entry): entry is [string, string] => Boolean(entry[1])),
	);
	return (
		<p>
			<a href={`${props.path}?${query}`}>{props.label} →</a>
		</p>
	);
}
