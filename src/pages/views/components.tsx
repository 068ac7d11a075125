/** Small pieces the pages share: UTC times with relative hints, badges, rates, action buttons, field errors, notices in cards, list paging and search. */
import type { Child } from "hono/jsx";
import type { DeliveryState } from "../../delivery/deliveryStateResponse";
import { utcText } from "../../lib/time";
import type { Chrome } from "./layout";

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
	// A second's grace: a link made to last 5 minutes, shown a few ms later, still reads "in 5 min".
	const graced = size + 1000;
	const [unit, name] = UNITS.find(([length]) => graced >= length) ?? UNITS[UNITS.length - 1];
	const amount = Math.floor(graced / unit);
	return delta < 0 ? `${amount} ${name} ago` : `in ${amount} ${name}`;
}

/** A time in the pages' one format (lib/time.ts: "2026-11-28 09:30:00 UTC") with a relative hint; a dash when there is none. */
export function Time({ at }: { at: string | number | null }) {
	if (at === null) return <span class="muted">—</span>;
	const ms = typeof at === "number" ? at : Date.parse(at);
	return (
		<span>
			<time datetime={new Date(ms).toISOString()}>{utcText(ms)}</time> <small>({relativeTime(ms)})</small>
		</span>
	);
}

/** The notice of a redirect, again inside the card it is about (the page also shows it at the top). */
export function CardNotice({ chrome, card }: { chrome: Chrome; card: string }) {
	// A refusal of the card's form shows there too (the top one is the alert screen readers announce).
	if (chrome.error && chrome.errorCard === card) return <p class="error">{chrome.error}</p>;
	return chrome.notice && chrome.noticeCard === card ? <p class="notice">{chrome.notice}</p> : null;
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

/** A list's address with its filters (the strings among them) and `cursor`, instead of the cursors it had. */
function listHref(path: string, filter: Record<string, unknown>, cursor: Record<string, string>): string {
	const { before: _before, after: _after, cursor: _cursor, ...filters } = filter;
	const entries = Object.entries({ ...filters, ...cursor }).filter(
		(entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "",
	);
	return `${path}?${new URLSearchParams(entries)}`;
}

/** Newer and Older links of a list: the same filters, the page's cursors; none where there is nothing more. */
export function PageLinks(props: { path: string; filter: Record<string, unknown>; newer: string | null; older: string | null }) {
	if (!props.newer && !props.older) return null;
	return (
		<p class="row">
			{props.newer && <a href={listHref(props.path, props.filter, { after: props.newer })}>← Newer</a>}
			{props.older && <a href={listHref(props.path, props.filter, { before: props.older })}>Older →</a>}
		</p>
	);
}

/** The link to a list's next page (`cursor`): the same filters; nothing on the last page. */
export function NextPageLink(props: { path: string; filter: Record<string, unknown>; cursor: string | null; label: string }) {
	if (!props.cursor) return null;
	return (
		<p>
			<a href={listHref(props.path, props.filter, { cursor: props.cursor })}>{props.label} →</a>
		</p>
	);
}

/** Find a ticket's deliveries by its number, or a delivery or event by its id. */
export function SearchBox({ base, value }: { base: string; value?: string }) {
	return (
		<search>
			<form method="get" action={`${base}/search`} class="row">
				<label for="q">Ticket number, event id or delivery id</label>
				<input id="q" name="q" type="search" value={value ?? ""} required />
				<button type="submit">Find</button>
			</form>
		</search>
	);
}
