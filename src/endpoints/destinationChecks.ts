/**
 * The one destination check (security/destination.ts) as endpoint changes meet it: a URL refused is a 422
 * `destination_refused` naming the field and the reason; a URL saved is the check's canonical form.
 */
import { HttpError } from "../http/errors";
import { checkDestination, type DestinationPolicy } from "../security/destination";

/** How much of a refused URL an answer repeats: enough to recognise it (one over the length limit is long). */
const SHOWN_URL_CHARS = 100;

function shown(raw: string): string {
	return raw.length > SHOWN_URL_CHARS ? `${raw.slice(0, SHOWN_URL_CHARS)}…` : raw;
}

export function destinationOrThrow(raw: string, field: string, policy: DestinationPolicy): string {
	const check = checkDestination(raw, policy);
	if (!check.ok)
		throw new HttpError("destination_refused", `URL ${JSON.stringify(shown(raw))} ${check.problem}.`, {
			[field]: `${shown(raw)} ${check.problem}`,
		});
	return check.url;
}

/** Every URL of a list as a destination; every refused one is named, each with its reason, in one 422. */
export function destinationsOrThrow(listed: readonly string[], policy: DestinationPolicy): string[] {
	const checks = listed.map((raw) => ({ raw, check: checkDestination(raw, policy) }));
	const refused = Object.fromEntries(
		checks.flatMap(({ raw, check }, i) => (check.ok ? [] : [[`urls[${i}]`, `${shown(raw)} ${check.problem}.`]])),
	);
	const problems = Object.values(refused);
	if (problems.length) {
		const what = problems.length === 1 ? "This URL can't be used:" : `These ${problems.length} URLs can't be used:`;
		throw new HttpError("destination_refused", `${what} ${problems.join(" ")}`, refused);
	}
	return checks.flatMap(({ check }) => (check.ok ? [check.url] : []));
}
