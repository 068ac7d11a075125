/**
 * One endpoint's page and its forms: settings, headers, the secret, a test
 * event, "Resend everything since …", delete. Each form posts to its card's
 * anchor and a refusal shows its problem in plain words, there and at the
 * top (forms.ts). Destructive changes ask first: Delete endpoint, Rotate
 * secret, Remove header; Resend says first how many it would send.
 */
import { Hono } from "hono/tiny";
import { readSettings } from "../config";
import { listChanges } from "../endpoints/audit";
import { sendTestEvent } from "../endpoints/deliveryActions";
import { deleteEndpoint, rotateSecret, updateEndpoint } from "../endpoints/endpointChanges";
import { REDELIVER_INCLUDES, redeliverSchema, testEventSchema, updateEndpointSchema } from "../endpoints/endpointRequests";
import { type EndpointRow, endpointView, requireEndpoint, secretView } from "../endpoints/endpointStore";
import { redeliver, streakStart } from "../endpoints/redelivery";
import { limitBody } from "../http/bodyLimit";
import { cookieOptions, takeCookie, writeCookie } from "../http/cookies";
import type { HttpError } from "../http/errors";
import { validateInput } from "../http/readJson";
import { DAY_MS, utcText } from "../lib/time";
import { readStats } from "../reports/accountStats";
import { recentAttempts } from "../reports/recentAttempts";
import { policyFor } from "../security/destination";
import { isReadOnly, type PageContext, type PageEnv, pageChange, pageChrome } from "./context";
import { done, orRefused, plainProblem, type RefusedStatus, readForm } from "./forms";
import { type Confirmation, ConfirmPage } from "./views/confirmPage";
import { EndpointPage, type EndpointPageProps } from "./views/endpointPage";
import { type Chrome, MessagePage } from "./views/layout";

/** The one-time view of a new secret after a rotation: a short-lived cookie naming the endpoint, spent by the next view. */
const REVEAL_COOKIE = "hivepost_reveal";

/** The rotation's notice on a later view of the page, where the new secret is masked again. */
const SECRET_ALREADY_SHOWN =
	"The secret was rotated, and the new one was shown once, on the first view of this page. Reveal shows it again.";

/** datetime-local has no zone: the page labels it UTC. */
function utcLocalInput(ms: number): string {
	return new Date(ms).toISOString().slice(0, 16);
}

/** A refusal of the form of the endpoint page's `card` (its input, or the account's manual actions a minute), shown there and at the top. */
function refusedOnEndpoint(c: PageContext, card: string) {
	return async (error: HttpError, status: RefusedStatus) =>
		renderEndpoint(
			c,
			await requireEndpoint(pageChange(c), c.req.param("id") ?? ""),
			{ chrome: { error: plainProblem(error), errorCard: card } },
			status,
		);
}

async function renderEndpoint(
	c: PageContext,
	row: EndpointRow,
	extra: Partial<Pick<EndpointPageProps, "revealedSecret" | "typed" | "typedHeader">> & { chrome?: Partial<Chrome> } = {},
	status: 200 | RefusedStatus = 200,
) {
	const change = pageChange(c);
	const [stats, view, attempts, changes] = await Promise.all([
		readStats(change),
		endpointView(c.env, change, row),
		recentAttempts(change, row.id),
		listChanges(change, row.id),
	]);
	return c.html(
		<EndpointPage
			chrome={{ ...pageChrome(c, row.url, "endpoints"), ...extra.chrome }}
			endpoint={view}
			health={stats.health(row)}
			attempts={attempts}
			changes={changes}
			revealedSecret={isReadOnly(c) ? null : extra.revealedSecret}
			previousSecretExpiresAt={secretView(row).previous_secret_expires_at}
			typed={extra.typed}
			typedHeader={extra.typedHeader}
			resendSince={utcLocalInput(Date.now() - DAY_MS)}
			readOnly={isReadOnly(c)}
		/>,
		status,
	);
}

const endpointPath = (c: PageContext) => `/endpoints/${c.req.param("id")}`;

/** The step before a change to the route's endpoint: confirming posts back to `{endpoint}/{step}`, cancelling returns to its card. */
function confirmOnEndpoint(
	c: PageContext,
	title: string,
	step: string,
	confirmation: Omit<Confirmation, "action" | "cancelHref" | "fields"> & { fields?: Record<string, string> },
	card = "",
) {
	const endpoint = `${c.var.base}${endpointPath(c)}`;
	return c.html(
		<ConfirmPage
			chrome={pageChrome(c, title, "endpoints")}
			confirmation={{ fields: {}, ...confirmation, action: `${endpoint}/${step}`, cancelHref: `${endpoint}${card && `#${card}`}` }}
		/>,
	);
}

/** The reveal cookie goes only to the endpoint's own page. */
const revealCookie = (c: PageContext) => cookieOptions(c, { sameSite: "Lax", path: `${c.var.base}${endpointPath(c)}` });

/** A datetime-local value (UTC, as labelled) or an ISO time, as the ISO time the API takes. */
function typedTime(typed: string): string {
	const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(typed) ? typed : `${typed}Z`);
	return Number.isNaN(ms) ? typed : new Date(ms).toISOString();
}

export const endpointForms = new Hono<PageEnv>()
	.get("/endpoints/:id", async (c) => {
		const row = await requireEndpoint(pageChange(c), c.req.param("id"));
		// Shown once, right after a rotation; the cookie is spent by this view. A reload of that view says so.
		const reveal = takeCookie(c, REVEAL_COOKIE, revealCookie(c)) === row.id;
		const notice = !reveal && c.req.query("notice") === "secret-rotated" ? SECRET_ALREADY_SHOWN : undefined;
		return renderEndpoint(c, row, { revealedSecret: reveal ? row.secret : null, ...(notice && { chrome: { notice } }) });
	})
	.post("/endpoints/:id/settings", limitBody.endpoint, async (c) => {
		const form = await readForm(c);
		const all = form.text("events_mode") === "all";
		const typed = { url: form.text("url"), events: all ? ["*"] : form.list("events") };
		const change = pageChange(c);
		return orRefused(
			async () => {
				const changes = validateInput(typed, updateEndpointSchema, "form");
				await updateEndpoint(change, policyFor(c.env, c.req.url), c.req.param("id"), changes);
				return done(c, endpointPath(c), "settings-saved");
			},
			async (error, status) => {
				const field = error.fields?.events ? "events" : "url";
				const problem = field === "events" ? "Choose at least one event type, or All events." : plainProblem(error);
				const row = await requireEndpoint(change, c.req.param("id"));
				return renderEndpoint(c, row, { typed: { ...typed, field, problem }, chrome: { error: problem } }, status);
			},
		);
	})
	.post("/endpoints/:id/headers", limitBody.endpoint, async (c) => {
		const form = await readForm(c);
		const name = form.text("name").trim();
		const change = pageChange(c);
		return orRefused(
			async () => {
				const changes = validateInput({ headers: { [name]: form.text("value") } }, updateEndpointSchema, "form");
				await updateEndpoint(change, policyFor(c.env, c.req.url), c.req.param("id"), changes);
				return done(c, endpointPath(c), "header-set");
			},
			async (error, status) => {
				const problem = `${plainProblem(error)} Type the value again.`;
				const row = await requireEndpoint(change, c.req.param("id"));
				return renderEndpoint(c, row, { typedHeader: { name, problem }, chrome: { error: problem } }, status);
			},
		);
	})
	.post("/endpoints/:id/headers/remove", limitBody.other, async (c) => {
		const form = await readForm(c);
		const name = form.text("name");
		const change = pageChange(c);
		const row = await requireEndpoint(change, c.req.param("id"));
		if (!form.confirmed) {
			return confirmOnEndpoint(
				c,
				"Remove header?",
				"headers/remove",
				{
					heading: `Remove the header ${name}?`,
					fields: { name },
					confirmLabel: "Remove header",
					children: (
						<p>
							Deliveries to <span class="url">{row.url}</span> stop carrying <code>{name}</code>; its value is deleted and cannot be shown
							again.
						</p>
					),
				},
				"headers",
			);
		}
		await updateEndpoint(change, policyFor(c.env, c.req.url), row.id, { headers: { [name]: null } });
		return done(c, endpointPath(c), "header-removed");
	})
	.post("/endpoints/:id/secret", limitBody.other, async (c) => {
		// Changes nothing: the page itself shows the secret, never cached.
		const row = await requireEndpoint(pageChange(c), c.req.param("id"));
		return renderEndpoint(c, row, { revealedSecret: row.secret });
	})
	.post("/endpoints/:id/rotate-secret", limitBody.other, async (c) => {
		const form = await readForm(c);
		const change = pageChange(c);
		const row = await requireEndpoint(change, c.req.param("id"));
		if (!form.confirmed) {
			return confirmOnEndpoint(
				c,
				"Rotate secret?",
				"rotate-secret",
				{
					heading: "Rotate the signing secret?",
					confirmLabel: "Rotate secret",
					children: (
						<p>
							Deliveries to <span class="url">{row.url}</span> get a new signing secret, shown once on the next page. The current secret
							(and any replaced in the last 24 hours) keeps signing alongside it for 24 hours, so the receiver can switch over.
						</p>
					),
				},
				"secret",
			);
		}
		await rotateSecret(change, row.id);
		writeCookie(c, REVEAL_COOKIE, row.id, revealCookie(c), { maxAge: 60 });
		return done(c, endpointPath(c), "secret-rotated");
	})
	.post("/endpoints/:id/test", limitBody.other, async (c) => {
		const form = await readForm(c);
		const change = pageChange(c);
		const refused = refusedOnEndpoint(c, "test");
		return orRefused(async () => {
			const { action_type } = validateInput({ action_type: form.text("action_type") }, testEventSchema, "form");
			const sent = await sendTestEvent(c.env, change, readSettings(c.env), c.req.param("id"), action_type);
			return done(c, `/deliveries/${sent.delivery_id}`, "test-sent");
		}, refused);
	})
	.post("/endpoints/:id/resend", limitBody.other, async (c) => {
		const form = await readForm(c);
		const change = pageChange(c);
		const refused = refusedOnEndpoint(c, "resend");
		return orRefused(async () => {
			const row = await requireEndpoint(change, c.req.param("id"));
			const settings = readSettings(c.env);
			// The banner's "since then": from the first delivery that failed in the streak, made before its attempt failed.
			const began = form.text("streak") === "yes" ? await streakStart(change, row, settings) : null;
			const from = began === null ? typedTime(form.text("since")) : new Date(began).toISOString();
			const request = validateInput(
				{ since: from, include: [...REDELIVER_INCLUDES], enable: true, dry_run: !form.confirmed },
				redeliverSchema,
				"form",
			);
			const { count, more } = await redeliver(c.env, change, settings, row.id, request);
			if (form.confirmed) return done(c, endpointPath(c), more ? "resent-more" : "resent", count);
			const since = utcText(Date.parse(request.since));
			if (count === 0) {
				return c.html(
					<MessagePage chrome={pageChrome(c, "Nothing to resend", "endpoints")} heading="Nothing to resend">
						<p>
							Since {since}, nothing to <span class="url">{row.url}</span> failed, waits for a retry or was cancelled, and it missed no
							event.
						</p>
						<p>
							<a href={`${c.var.base}${endpointPath(c)}#resend`}>Back to the endpoint</a>
						</p>
					</MessagePage>,
				);
			}
			return confirmOnEndpoint(
				c,
				"Resend?",
				"resend",
				{
					heading: `Resend ${count}${more ? " or more" : ""} ${count === 1 ? "delivery" : "deliveries"}?`,
					fields: { since: request.since },
					confirmLabel: "Resend now",
					children: (
						<p>
							Since {since}: the deliveries to <span class="url">{row.url}</span> that failed, are retrying or were cancelled start over
							now, and every event it missed is sent to it.{!row.enabled && " The endpoint is enabled first."}
							{more && ` This sends the first ${count}; press Resend again for the rest.`}
						</p>
					),
				},
				"resend",
			);
		}, refused);
	})
	.post("/endpoints/:id/delete", limitBody.other, async (c) => {
		const form = await readForm(c);
		const change = pageChange(c);
		const row = await requireEndpoint(change, c.req.param("id"));
		if (!form.confirmed) {
			return confirmOnEndpoint(c, "Delete endpoint?", "delete", {
				heading: "Delete this endpoint?",
				confirmLabel: "Delete endpoint",
				children: (
					<p>
						<span class="url">{row.url}</span> stops receiving events. Its signing secret, custom headers and event filter are deleted with
						it, and its pending and retrying deliveries are cancelled. Its delivery history is kept.
					</p>
				),
			});
		}
		await deleteEndpoint(change, row.id);
		return done(c, "", "deleted");
	});
