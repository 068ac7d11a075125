/**
 * How the pages take a form: read it, refuse what is wrong by showing the page
 * again with the input as typed, and answer a change with a 303 to a GET page
 * whose notice says what happened (so a reload never repeats it).
 */
import { HttpError } from "../http/errors";
import type { PageContext } from "./context";

const NOTICES: Record<string, (count: string) => string> = {
	"webhooks-updated": () => "Saved: the endpoints now match the list.",
	"settings-saved": () => "Saved.",
	enabled: () => "Enabled: new events are delivered to it again.",
	disabled: () => "Disabled: its pending and retrying deliveries were cancelled, and new events skip it.",
	"header-set": () => "Header saved.",
	"header-removed": () => "Header removed.",
	"secret-rotated": () => "New secret below, shown this once. Every replaced secret keeps signing for 24 hours.",
	"test-sent": () => "Test event sent: this is its delivery.",
	retried: () => "Retry now: the attempt is the newest one below.",
	redelivered: (count) => `${count} failed ${count === "1" ? "delivery" : "deliveries"} queued for redelivery.`,
	deleted: () => "Endpoint deleted; its history is kept.",
};

/** The notice a redirect asked for (`?notice=…&count=…`), in words; null for none. */
export function noticeOf(c: PageContext): string | null {
	const notice = NOTICES[c.req.query("notice") ?? ""];
	return notice ? notice(c.req.query("count") ?? "0") : null;
}

export async function readForm(c: PageContext) {
	const form = await c.req.parseBody({ all: true });
	const list = (name: string) => [form[name] ?? []].flat().filter((value): value is string => typeof value === "string");
	return { text: (name: string) => list(name)[0] ?? "", list, confirmed: list("confirm")[0] === "yes" };
}

/** 303 to a page of this account, with a notice saying what happened. */
export function done(c: PageContext, path: string, notice: string, count?: number) {
	return c.redirect(`${c.var.base}${path}?notice=${notice}${count === undefined ? "" : `&count=${count}`}`, 303);
}

/** Runs `act`; a refusal of the input (422, or 409 for a taken URL) is handed to `refused` to re-render the page with it. */
export async function orRefused(
	act: () => Promise<Response>,
	refused: (error: HttpError) => Response | Promise<Response>,
): Promise<Response> {
	try {
		return await act();
	} catch (error) {
		if (error instanceof HttpError && (error.status === 422 || error.code === "url_taken")) return refused(error);
		throw error;
	}
}
