/**
 * How the pages take a form: read it, refuse what is wrong by showing the page
 * again with the input as typed and the problem in plain words, and answer a
 * change with a 303 to a GET page whose notice says what happened (so a
 * reload never repeats it). The 303 carries the acted-on card's anchor, and
 * every form posts to its card's anchor too, so the browser lands on the card
 * either way; the notice shows there and at the top.
 */
import { errorHeaders, HttpError } from "../http/errors";
import type { PageContext } from "./context";

/** What a notice's words may name, from the redirect's query: how many, and (on the accounts page) the account's uid. */
interface NoticeFacts {
	count: string;
	uid: string;
}

/** Each notice: its words, and the card (its heading's id) it belongs to. */
const NOTICES: Record<string, { card: string; text: (facts: NoticeFacts) => string }> = {
	"webhooks-updated": { card: "endpoints", text: () => "Saved: the endpoints now match the list." },
	"settings-saved": { card: "settings", text: () => "Saved." },
	enabled: { card: "status", text: () => "Enabled: new events are delivered to it again." },
	disabled: {
		card: "status",
		text: () => "Disabled: its pending and retrying deliveries were cancelled, and new events skip it. Resend them from its page.",
	},
	"header-set": { card: "headers", text: () => "Header saved." },
	"header-removed": { card: "headers", text: () => "Header removed." },
	"secret-rotated": { card: "secret", text: () => "New secret below, shown this once. Every replaced secret keeps signing for 24 hours." },
	"test-sent": { card: "attempts", text: () => "Test event sent: this is its delivery." },
	retried: { card: "attempts", text: () => "The attempt is the newest one below." },
	resent: {
		card: "resend",
		text: ({ count }) => (count === "1" ? "1 delivery is on its way again." : `${count} deliveries are on their way again.`),
	},
	"resent-more": {
		card: "resend",
		text: ({ count }) => `${count} deliveries are on their way again. There are more: press Resend again for the next ones.`,
	},
	deleted: { card: "endpoints", text: () => "Endpoint deleted; its history is kept." },
	// The operator's console of accounts.
	"account-created": { card: "accounts", text: ({ uid }) => `Account ${uid} created: it is listed below.` },
	"sessions-ended": { card: "accounts", text: ({ uid }) => `The admins of ${uid} are signed out, and its unused links no longer work.` },
	"account-deleted": { card: "accounts", text: () => "Account deleted: its data is purged within minutes." },
	"move-started": {
		card: "accounts",
		text: ({ uid }) => `Move of ${uid} started: the account keeps working; its Database column shows how far it is.`,
	},
};

/** The notice a redirect asked for (`?notice=…&count=…`, on the accounts page `&q=<uid>`), in words, with its card; null for none. */
export function noticeOf(c: PageContext): { text: string; card: string } | null {
	const notice = NOTICES[c.req.query("notice") ?? ""];
	return notice ? { text: notice.text({ count: c.req.query("count") ?? "0", uid: c.req.query("q") ?? "" }), card: notice.card } : null;
}

export async function readForm(c: PageContext) {
	const form = await c.req.parseBody({ all: true });
	const list = (name: string) => [form[name] ?? []].flat().filter((value): value is string => typeof value === "string");
	return { text: (name: string) => list(name)[0] ?? "", list, confirmed: list("confirm")[0] === "yes" };
}

/** 303 to a page of this account, at the notice's card (on the home page: its endpoints), with a notice saying what happened. */
export function done(c: PageContext, path: string, notice: string, count?: number) {
	const query = `notice=${notice}${count === undefined ? "" : `&count=${count}`}`;
	return c.redirect(`${c.var.base}${path}?${query}#${path === "" ? HOME_CARD : NOTICES[notice].card}`, 303);
}

/** On the home page every notice is about its endpoints. */
export const HOME_CARD = "endpoints";

/** What was wrong with a refused form, in plain words: each field's problem (never the schema's summary of them). */
export function plainProblem(error: HttpError): string {
	return error.fields ? [...new Set(Object.values(error.fields))].join(" ") : error.message;
}

/** The statuses a refusal re-renders its page with. */
export type RefusedStatus = 409 | 422 | 429;

/**
 * Runs `act`; a refusal of the input (422, or 409 for a taken URL), or of a manual action over the account's rate
 * (429, with its Retry-After), is handed to `refused` to re-render the page with it, at `status`.
 */
export async function orRefused(
	act: () => Promise<Response>,
	refused: (error: HttpError, status: RefusedStatus) => Response | Promise<Response>,
): Promise<Response> {
	try {
		return await act();
	} catch (error) {
		if (!(error instanceof HttpError)) throw error;
		const status = error.code === "rate_limited" ? 429 : error.code === "url_taken" ? 409 : error.status === 422 ? 422 : null;
		if (status === null) throw error;
		const response = await refused(error, status);
		// What the API would send with this refusal (a 429's Retry-After) goes with the page too.
		for (const [name, value] of Object.entries(errorHeaders(error))) response.headers.set(name, value);
		return response;
	}
}
