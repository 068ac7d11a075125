/** The URL list of SupportBee's "Web Hooks" text box (Update App): how its text is split into URLs. */

/** A run of the characters a separator is made of: white space, `;` and `,`. */
const SEPARATOR_RUN = /[\s,;]+/g;
const URL_START = /^https?:\/\//i;

/**
 * Where SupportBee's "Web Hooks" text box is split: white space, semicolons,
 * and a comma only where the next non-blank text is another URL (or nothing):
 * a comma inside a URL (`?ids=1,2`) is part of it, and the list the page shows
 * (URLs joined by ", ") splits back into the same URLs.
 *
 * One pass over the text: each run of separator characters is looked at once,
 * with what follows it. (A lookahead from every comma to the next non-blank
 * text would take quadratic time on a run of commas.)
 */
export function splitUrlList(text: string): string[] {
	const parts: string[] = [];
	let part = "";
	let from = 0;
	for (const run of text.matchAll(SEPARATOR_RUN)) {
		part += text.slice(from, run.index);
		from = run.index + run[0].length;
		const commasSeparate = from === text.length || URL_START.test(text.slice(from, from + "https://".length));
		for (const char of run[0]) {
			if (char === "," && !commasSeparate) {
				part += char;
			} else {
				parts.push(part);
				part = "";
			}
		}
	}
	parts.push(part + text.slice(from));
	return parts.filter((url) => url !== "");
}
