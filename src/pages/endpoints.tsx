/**
 * An account's endpoints as pages: its home (the overview, SupportBee's "Web
 * Hooks" box and the endpoints table) and one endpoint's page with every
 * change to it: settings, headers, the secret, a test event, redelivery,
 * delete. Plain HTML forms, working without JavaScript, through the same
 * functions as the JSON API.
 *
 * - A POST that changes something answers 303 to a GET page that says what
 *   happened, so a reload never repeats it.
 * - A POST that changes nothing (refused input, a confirmation step, a 403)
 *   answers with the page, its status, and the input as typed.
 * - Destructive changes ask first: Update App that removes URLs, Delete
 *   endpoint, Rotate secret, Remove header.
 */
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { readSettings } from "../config";
import { listChanges } from "../endpoints/audit";
import { redeliverFailed, sendTestEvent } from "../endpoints/deliveryActions";
import { deleteEndpoint, planReplacement, replaceEndpoints, rotateSecret, updateEndpoint } from "../endpoints/endpointChanges";
import { redeliverSchema, testEventSchema, updateEndpointSchema } from "../endpoints/endpointRequests";
import { type EndpointRow, endpointView, endpointViews, listEndpoints, requireEndpoint, secretView } from "../endpoints/endpointStore";
import { limitBody } from "../http/bodyLimit";
import { cookieOptions } from "../http/cookies";
import { validateInput } from "../http/readJson";
import { DAY_MS } from "../lib/time";
import { readStats } from "../reports/accountStats";
import { policyFor } from "../security/destination";
import { isReadOnly, type PageContext, type PageEnv, pageChange, pageChrome } from "./context";
import { done, orRefused, readForm } from "./forms";
import { type Confirmation, ConfirmPage } from "./views/confirmPage";
import { Dashboard, type WebHooksBox } from "./views/dashboard";
import { EndpointPage, type EndpointPageProps } from "./views/endpointPage";

/** The one-time view of a new secret after a rotation: a short-lived cookie naming the endpoint, spent by the next view. */
const REVEAL_COOKIE = "hivepost_reveal";

async function renderDashboard(c: PageContext, box?: WebHooksBox, status: 200 | 409 | 422 = 200) {
	const change = pageChange(c);
	const [rows, stats] = await Promise.all([listEndpoints(change), readStats(change)]);
	const text = box?.text ?? rows.map((row) => row.url).join(", ");
	return c.html(
		<Dashboard
			chrome={pageChrome(c, "Web Hooks", "endpoints")}
			endpoints={await endpointViews(c.env, change, rows)}
			stats={stats}
			health={new Map(rows.map((row) => [row.id, stats.health(row)]))}
			box={{ ...box, text }}
			readOnly={isReadOnly(c)}
		/>,
		status,
	);
}

/** datetime-local has no zone: the page labels it UTC. */
function utcLocalInput(ms: number): string {
	return new Date(ms).toISOString().slice(0, 16);
}

async function renderEndpoint(
	c: PageContext,
	row: EndpointRow,
	extra: Partial<Pick<EndpointPageProps, "revealedSecret" | "typed" | "typedHeader">> & { error?: string } = {},
	status: 200 | 409 | 422 = 200,
) {
	const change = pageChange(c);
	const [stats, view, changes] = await Promise.all([readStats(change), endpointView(c.env, change, row), listChanges(change, row.id)]);
	return c.html(
		<EndpointPage
			chrome={{ ...pageChrome(c, row.url, "endpoints"), error: extra.error }}
			endpoint={view}
			health={stats.health(row)}
			changes={changes}
			revealedSecret={isReadOnly(c) ? null : extra.revealedSecret}
			previousSecretExpiresAt={secretView(row).previous_secret_expires_at}
			typed={extra.typed}
			typedHeader={extra.typedHeader}
			redeliverSince={utcLocalInput(Date.now() - DAY_MS)}
			readOnly={isReadOnly(c)}
		/>,
		status,
	);
}

const endpointPath = (c: PageContext) => `/endpoints/${c.req.param("id")}`;

/** The step before a destructive action on the route's endpoint: confirming posts back to `{endpoint}/{step}`, cancelling returns to the endpoint. */
function confirmOnEndpoint(
	c: PageContext,
	title: string,
	step: string,
	confirmation: Omit<Confirmation, "action" | "cancelHref" | "fields"> & { fields?: Record<string, string> },
) {
	const endpoint = `${c.var.base}${endpointPath(c)}`;
	return c.html(
		<ConfirmPage
			chrome={pageChrome(c, title, "endpoints")}
			confirmation={{ fields: {}, ...confirmation, action: `${endpoint}/${step}`, cancelHref: endpoint }}
		/>,
	);
}

/** The reveal cookie goes only to the endpoint's own page. */
const revealCookie = (c: PageContext) => cookieOptions(c, { sameSite: "Lax", path: `${c.var.base}${endpointPath(c)}` });

export const endpointPages = new Hono<PageEnv>()
	.get("/", (c) => renderDashboard(c))
	.post("/webhooks", limitBody.updateApp, async (c) => {
		const form = await readForm(c);
		const text = form.text("urls");
		const change = pageChange(c);
		return orRefused(
			async () => {
				const plan = await planReplacement(change, policyFor(c.env, c.req.url), readSettings(c.env), text);
				if (plan.removed.length && !form.confirmed) {
					return c.html(
						<ConfirmPage
							chrome={pageChrome(c, "Delete endpoints?", "endpoints")}
							confirmation={{
								heading: `Delete ${plan.removed.length} endpoint${plan.removed.length === 1 ? "" : "s"}?`,
								action: `${c.var.base}/webhooks`,
								fields: { urls: text },
								confirmLabel: "Update App and delete them",
								cancelHref: c.var.base,
								children: (
									<>
										<p>These URLs are not in the list any more, so Update App deletes their endpoints:</p>
										<ul>
											{plan.removed.map((row) => (
												<li class="url">{row.url}</li>
											))}
										</ul>
										<p>
											Their signing secrets, custom headers and event filters are deleted with them, and their pending and retrying
											deliveries are cancelled. Their delivery history is kept.
											{plan.added.length > 0 && ` ${plan.added.length} new endpoint${plan.added.length === 1 ? " is" : "s are"} added.`}
										</p>
									</>
								),
							}}
						/>,
					);
				}
				await replaceEndpoints(change, plan);
				return done(c, "", "webhooks-updated");
			},
			(error) => renderDashboard(c, { text, problems: error.fields ?? { urls: error.message } }, error.status === 409 ? 409 : 422),
		);
	})
	.get("/endpoints/:id", async (c) => {
		const row = await requireEndpoint(pageChange(c), c.req.param("id"));
		// Shown once, right after a rotation; the cookie is spent by this view.
		const reveal = getCookie(c, REVEAL_COOKIE) === row.id;
		if (reveal) deleteCookie(c, REVEAL_COOKIE, revealCookie(c));
		return renderEndpoint(c, row, { revealedSecret: reveal ? row.secret : null });
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
			async (error) => {
				const field = error.fields?.events ? "events" : "url";
				const problem = field === "events" ? "Choose at least one event type, or All events." : error.message;
				return renderEndpoint(
					c,
					await requireEndpoint(change, c.req.param("id")),
					{ typed: { ...typed, field, problem } },
					error.status === 409 ? 409 : 422,
				);
			},
		);
	})
	.post("/endpoints/:id/toggle", limitBody.other, async (c) => {
		const form = await readForm(c);
		const enabled = form.text("enabled") === "true";
		await updateEndpoint(pageChange(c), policyFor(c.env, c.req.url), c.req.param("id"), { enabled });
		// Back where the button was (no Referer: the page sends none).
		return done(c, form.text("back") === "endpoint" ? endpointPath(c) : "", enabled ? "enabled" : "disabled");
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
			async (error) =>
				renderEndpoint(
					c,
					await requireEndpoint(change, c.req.param("id")),
					{ typedHeader: { name, problem: `${error.message} Type the value again.` } },
					422,
				),
		);
	})
	.post("/endpoints/:id/headers/remove", limitBody.other, async (c) => {
		const form = await readForm(c);
		const name = form.text("name");
		const change = pageChange(c);
		const row = await requireEndpoint(change, c.req.param("id"));
		if (!form.confirmed) {
			return confirmOnEndpoint(c, "Remove header?", "headers/remove", {
				heading: `Remove the header ${name}?`,
				fields: { name },
				confirmLabel: "Remove header",
				children: (
					<p>
						Deliveries to <span class="url">{row.url}</span> stop carrying <code>{name}</code>; its value is deleted and cannot be shown
						again.
					</p>
				),
			});
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
			return confirmOnEndpoint(c, "Rotate secret?", "rotate-secret", {
				heading: "Rotate the signing secret?",
				confirmLabel: "Rotate secret",
				children: (
					<p>
						Deliveries to <span class="url">{row.url}</span> get a new signing secret, shown once on the next page. The current secret (and
						any replaced in the last 24 hours) keeps signing alongside it for 24 hours, so the receiver can switch over.
					</p>
				),
			});
		}
		await rotateSecret(change, row.id);
		setCookie(c, REVEAL_COOKIE, row.id, { ...revealCookie(c), maxAge: 60 });
		return done(c, endpointPath(c), "secret-rotated");
	})
	.post("/endpoints/:id/test", limitBody.other, async (c) => {
		const { action_type } = validateInput({ action_type: (await readForm(c)).text("action_type") }, testEventSchema, "form");
		const sent = await sendTestEvent(c.env, pageChange(c), readSettings(c.env), c.req.param("id"), action_type);
		return done(c, `/deliveries/${sent.delivery_id}`, "test-sent");
	})
	.post("/endpoints/:id/redeliver", limitBody.other, async (c) => {
		const typed = (await readForm(c)).text("since");
		const change = pageChange(c);
		return orRefused(
			async () => {
				const since = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(typed) ? typed : `${typed}Z`);
				const input = validateInput({ since: Number.isNaN(since) ? typed : new Date(since).toISOString() }, redeliverSchema, "form");
				const count = await redeliverFailed(c.env, change, readSettings(c.env), c.req.param("id"), Date.parse(input.since));
				return done(c, endpointPath(c), "redelivered", count);
			},
			async (error) => renderEndpoint(c, await requireEndpoint(change, c.req.param("id")), { error: error.message }, 422),
		);
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
