/**
 * /admin: the server-rendered admin page. Plain HTML forms (it works without
 * JavaScript); every change goes through the same functions as the JSON API
 * and, on success, redirects (303) to a page that says what happened.
 */
import { type Context, Hono } from "hono";
import { readSettings } from "../../config";
import { database } from "../../db/client";
import { HttpError, INTERNAL_ERROR_MESSAGE } from "../../http/errors";
import { validateInput } from "../../http/readJson";
import { logUnhandled } from "../../http/requestId";
import { deliveryFilterSchema, redeliverSchema, testEventSchema, updateEndpointSchema } from "../api/schemas";
import { accessSettings } from "../auth/access";
import { type AdminEnv, adminTokenMatches, authenticate } from "../auth/authenticate";
import { adminSecurityHeaders, noStore, refuseCrossSiteForms } from "../auth/guards";
import { endSession, startSession } from "../auth/session";
import { redeliverFailed, retryNow, sendTestEvent } from "../deliveryActions";
import { deliveryDetail, eventDetail, listDeliveries } from "../deliveryLog";
import { deleteEndpoint, policyFor, replaceEndpoints, rotateSecret, updateEndpoint } from "../endpointChanges";
import { type EndpointRow, listEndpoints, requireEndpoint, toView } from "../endpointStore";
import { readStats } from "../stats";
import { Dashboard, type WebHooksBox } from "./dashboard";
import { DeliveriesPage } from "./deliveriesPage";
import { DeliveryPage } from "./deliveryPage";
import { EndpointPage, type EndpointPageProps } from "./endpointPage";
import { type Chrome, Layout, SignInPage } from "./layout";
import { STYLESHEET } from "./stylesheet";

type PageContext = Context<AdminEnv>;

const NOTICES: Record<string, (count: string) => string> = {
	"webhooks-updated": () => "Saved: the endpoints now match the list.",
	"settings-saved": () => "Saved.",
	enabled: () => "Enabled: new events are delivered to it again.",
	disabled: () => "Disabled: its pending and retrying deliveries were cancelled, and new events skip it.",
	"header-set": () => "Header saved.",
	"header-removed": () => "Header removed.",
	"secret-rotated": () => "New secret below. The previous one keeps signing for 24 hours.",
	"test-sent": () => "Test event sent: this is its delivery.",
	retried: () => "Retry now: the attempt is the newest one below.",
	redelivered: (count) => `${count} failed ${count === "1" ? "delivery" : "deliveries"} queued for redelivery.`,
	deleted: () => "Endpoint deleted; its history is kept.",
};

function chrome(c: PageContext, title: string, current?: Chrome["current"]): Chrome {
	const notice = NOTICES[c.req.query("notice") ?? ""];
	return {
		title,
		current,
		admin: c.get("admin"),
		notice: notice ? notice(c.req.query("count") ?? "0") : null,
		privateDestinationsAllowed: readSettings(c.env).allowPrivateDestinations,
	};
}

async function readForm(c: PageContext) {
	const form = await c.req.parseBody({ all: true });
	const list = (name: string) => [form[name] ?? []].flat().filter((value): value is string => typeof value === "string");
	return { text: (name: string) => list(name)[0] ?? "", list };
}

const redirect = (c: PageContext, path: string, notice: string, count?: number) =>
	c.redirect(`${path}?notice=${notice}${count === undefined ? "" : `&count=${count}`}`, 303);

async function renderDashboard(c: PageContext, box?: WebHooksBox, status: 200 | 422 = 200) {
	const db = database(c.env);
	const [rows, stats] = await Promise.all([listEndpoints(db), readStats(db)]);
	const text = box?.text ?? rows.map((row) => row.url).join(", ");
	return c.html(
		<Dashboard
			chrome={chrome(c, "Endpoints", "endpoints")}
			endpoints={rows.map((row) => toView(row))}
			stats={stats}
			box={{ ...box, text }}
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
	extra: Partial<Pick<EndpointPageProps, "revealedSecret" | "typed">> & { error?: string } = {},
	status: 200 | 422 = 200,
) {
	const stats = await readStats(database(c.env));
	const previousLive = row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > Date.now();
	return c.html(
		<EndpointPage
			chrome={{ ...chrome(c, row.url, "endpoints"), error: extra.error }}
			endpoint={toView(row)}
			health={stats.health(row.id)}
			revealedSecret={extra.revealedSecret}
			previousSecretExpiresAt={previousLive ? new Date(row.previousSecretExpiresAt as number).toISOString() : null}
			typed={extra.typed}
			redeliverSince={utcLocalInput(Date.now() - 24 * 60 * 60 * 1000)}
		/>,
		status,
	);
}

export const adminPages = new Hono<AdminEnv>()
	.get("/style.css", (c) => c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" }))
	.use("*", adminSecurityHeaders, noStore, refuseCrossSiteForms)
	.post("/sign-in", async (c) => {
		if (accessSettings(c.env))
			throw new HttpError("access_mode", "This Hivepost signs admins in through Cloudflare Access, not with the token.");
		const token = (await readForm(c)).text("token");
		if (!token || !(await adminTokenMatches(c.env, token))) {
			return c.html(<SignInPage chrome={{ title: "Sign in", error: "That is not the admin token." }} accessMode={false} />, 401);
		}
		await startSession(c, token);
		return c.redirect("/admin", 303);
	})
	.use("*", async (c, next) => {
		const admin = await authenticate(c);
		if (!admin) {
			return c.html(<SignInPage chrome={{ title: "Sign in" }} accessMode={accessSettings(c.env) !== null} />, 401);
		}
		c.set("admin", admin);
		await next();
	})
	.post("/sign-out", (c) => {
		endSession(c);
		return c.redirect("/admin", 303);
	})
	.get("/", (c) => renderDashboard(c))
	.post("/webhooks", async (c) => {
		const text = (await readForm(c)).text("urls");
		try {
			await replaceEndpoints(database(c.env), policyFor(c.env, c.req.url), text);
		} catch (error) {
			if (!(error instanceof HttpError) || error.status !== 422) throw error;
			return renderDashboard(c, { text, problems: error.fields ?? { urls: error.message } }, 422);
		}
		return redirect(c, "/admin", "webhooks-updated");
	})
	.get("/endpoints/:id", async (c) => renderEndpoint(c, await requireEndpoint(database(c.env), c.req.param("id"))))
	.post("/endpoints/:id/settings", async (c) => {
		const form = await readForm(c);
		const typed = { url: form.text("url"), events: form.text("events_mode") === "all" ? ["*"] : form.list("events") };
		const db = database(c.env);
		try {
			const changes = validateInput(typed, updateEndpointSchema, "form");
			await updateEndpoint(db, policyFor(c.env, c.req.url), c.req.param("id"), changes);
		} catch (error) {
			if (!(error instanceof HttpError) || (error.status !== 422 && error.status !== 409)) throw error;
			const problems = error.fields?.events ? "Choose at least one event type, or All events." : error.message;
			return renderEndpoint(c, await requireEndpoint(db, c.req.param("id")), { typed, error: problems }, 422);
		}
		return redirect(c, `/admin/endpoints/${c.req.param("id")}`, "settings-saved");
	})
	.post("/endpoints/:id/toggle", async (c) => {
		const form = await readForm(c);
		const enabled = form.text("enabled") === "true";
		await updateEndpoint(database(c.env), policyFor(c.env, c.req.url), c.req.param("id"), { enabled });
		// Back where the button was (no Referer: the page sends none).
		const back = form.text("back") === "endpoint" ? `/admin/endpoints/${c.req.param("id")}` : "/admin";
		return redirect(c, back, enabled ? "enabled" : "disabled");
	})
	.post("/endpoints/:id/headers", async (c) => {
		const form = await readForm(c);
		const changes = validateInput({ headers: { [form.text("name").trim()]: form.text("value") } }, updateEndpointSchema, "form");
		await updateEndpoint(database(c.env), policyFor(c.env, c.req.url), c.req.param("id"), changes);
		return redirect(c, `/admin/endpoints/${c.req.param("id")}`, "header-set");
	})
	.post("/endpoints/:id/headers/remove", async (c) => {
		const name = (await readForm(c)).text("name");
		await updateEndpoint(database(c.env), policyFor(c.env, c.req.url), c.req.param("id"), { headers: { [name]: null } });
		return redirect(c, `/admin/endpoints/${c.req.param("id")}`, "header-removed");
	})
	.post("/endpoints/:id/secret", async (c) => {
		const row = await requireEndpoint(database(c.env), c.req.param("id"));
		return renderEndpoint(c, row, { revealedSecret: row.secret });
	})
	.post("/endpoints/:id/rotate-secret", async (c) => {
		const row = await rotateSecret(database(c.env), c.req.param("id"));
		return renderEndpoint(c, row, { revealedSecret: row.secret });
	})
	.post("/endpoints/:id/test", async (c) => {
		const { action_type } = validateInput({ action_type: (await readForm(c)).text("action_type") }, testEventSchema, "form");
		const sent = await sendTestEvent(database(c.env), c.env.DELIVERY_QUEUE, c.req.param("id"), action_type);
		return redirect(c, `/admin/deliveries/${sent.delivery_id}`, "test-sent");
	})
	.post("/endpoints/:id/redeliver", async (c) => {
		const typed = (await readForm(c)).text("since");
		const since = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(typed) ? typed : `${typed}Z`);
		const input = validateInput({ since: Number.isNaN(since) ? typed : new Date(since).toISOString() }, redeliverSchema, "form");
		const count = await redeliverFailed(database(c.env), c.env.DELIVERY_QUEUE, c.req.param("id"), Date.parse(input.since));
		return redirect(c, `/admin/endpoints/${c.req.param("id")}`, "redelivered", count);
	})
	.post("/endpoints/:id/delete", async (c) => {
		await deleteEndpoint(database(c.env), c.req.param("id"));
		return redirect(c, "/admin", "deleted");
	})
	.get("/deliveries", async (c) => {
		const db = database(c.env);
		const query = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ""));
		const filter = validateInput(query, deliveryFilterSchema, "query");
		const [page, rows] = await Promise.all([listDeliveries(db, filter), listEndpoints(db)]);
		return c.html(
			<DeliveriesPage
				chrome={chrome(c, "Deliveries", "deliveries")}
				filter={filter}
				endpoints={rows.map((row) => toView(row))}
				deliveries={page.deliveries}
				nextCursor={page.next_cursor}
			/>,
		);
	})
	.get("/deliveries/:id", async (c) => {
		const db = database(c.env);
		const delivery = await deliveryDetail(db, c.req.param("id"));
		const event = await eventDetail(db, delivery.event_id);
		return c.html(<DeliveryPage chrome={chrome(c, "Delivery", "deliveries")} delivery={delivery} payload={event.body} />);
	})
	.post("/deliveries/:id/retry", async (c) => {
		await retryNow(database(c.env), readSettings(c.env), c.req.param("id"));
		return redirect(c, `/admin/deliveries/${c.req.param("id")}`, "retried");
	})
	.onError((error, c) => {
		const known = error instanceof HttpError ? error : null;
		if (!known) logUnhandled(c.req.raw, c.get("requestId"), error);
		const status = known?.status ?? 500;
		const message = known?.message ?? INTERNAL_ERROR_MESSAGE;
		return c.html(
			<Layout chrome={{ title: "Error", admin: c.get("admin"), error: message }}>
				<p>
					<a href="/admin">← Back to the admin page</a>
				</p>
			</Layout>,
			status,
		);
	});
