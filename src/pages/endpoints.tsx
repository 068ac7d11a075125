/**
 * An account's endpoints as pages: its home (the summary line, the endpoints
 * table, SupportBee's "Web Hooks" box and the last 24 hours), Update App, and
 * enabling or disabling an endpoint from there or from its own page (whose
 * other forms are endpointForms.tsx). Plain HTML forms, working without
 * JavaScript, through the same functions as the JSON API.
 *
 * - A POST that changes something answers 303 to a GET page that says what
 *   happened, so a reload never repeats it.
 * - A POST that changes nothing (refused input, a confirmation step, a 403)
 *   answers with the page, its status, and the input as typed.
 * - Destructive changes ask first: Update App that removes URLs, Disable
 *   (it cancels what is waiting).
 * - Update App shows the secrets of the endpoints it created once, on the
 *   home page it lands on (a short-lived cookie names their creation time).
 */
import { Hono } from "hono/tiny";
import { readSettings } from "../config";
import { planReplacement, replaceEndpoints, updateEndpoint } from "../endpoints/endpointChanges";
import { endpointViews, listEndpoints, requireEndpoint, unfinishedCount } from "../endpoints/endpointStore";
import { limitBody } from "../http/bodyLimit";
import { cookieOptions, takeCookie, writeCookie } from "../http/cookies";
import { readStats } from "../reports/accountStats";
import { policyFor } from "../security/destination";
import { isReadOnly, type PageContext, type PageEnv, pageChange, pageChrome } from "./context";
import { endpointForms } from "./endpointForms";
import { done, orRefused, type RefusedStatus, readForm } from "./forms";
import { ConfirmPage } from "./views/confirmPage";
import { Dashboard, type WebHooksBox } from "./views/dashboard";

/** Names the creation time of the endpoints Update App just made, for the home page to show their secrets once. */
const NEW_SECRETS_COOKIE = "hivepost_new_secrets";

const newSecretsCookie = (c: PageContext) => cookieOptions(c, { sameSite: "Lax", path: c.var.base });

async function renderDashboard(c: PageContext, box?: WebHooksBox, status: 200 | RefusedStatus = 200) {
	const change = pageChange(c);
	const [rows, stats] = await Promise.all([listEndpoints(change), readStats(change)]);
	const text = box?.text ?? rows.map((row) => row.url).join(", ");
	// Shown once: the cookie is spent by this view.
	const createdAt = Number(takeCookie(c, NEW_SECRETS_COOKIE, newSecretsCookie(c)) ?? Number.NaN);
	const created = isReadOnly(c) ? [] : rows.filter((row) => row.createdAt === createdAt);
	return c.html(
		<Dashboard
			chrome={{ ...pageChrome(c, "Web Hooks", "endpoints"), error: box?.problems ? Object.values(box.problems).join(" ") : null }}
			endpoints={await endpointViews(c.env, change, rows)}
			stats={stats}
			health={new Map(rows.map((row) => [row.id, stats.health(row)]))}
			box={{ ...box, text }}
			readOnly={isReadOnly(c)}
			onlyFailing={c.req.query("show") === "failing"}
			newSecrets={created.map((row) => ({ url: row.url, secret: row.secret }))}
		/>,
		status,
	);
}

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
				if (plan.added.length) writeCookie(c, NEW_SECRETS_COOKIE, String(plan.added[0].createdAt), newSecretsCookie(c), { maxAge: 60 });
				return done(c, "", "webhooks-updated");
			},
			(error, status) => renderDashboard(c, { text, problems: error.fields ?? { urls: error.message } }, status),
		);
	})
	.post("/endpoints/:id/toggle", limitBody.other, async (c) => {
		const form = await readForm(c);
		const enabled = form.text("enabled") === "true";
		const change = pageChange(c);
		const row = await requireEndpoint(change, c.req.param("id"));
		// Back where the button was (no Referer: the page sends none).
		const back = form.text("back") === "endpoint" ? `/endpoints/${row.id}` : "";
		if (!enabled && row.enabled && !form.confirmed) {
			const waiting = await unfinishedCount(change, row.id);
			const here = `${c.var.base}${back}`;
			return c.html(
				<ConfirmPage
					chrome={pageChrome(c, "Disable endpoint?", "endpoints")}
					confirmation={{
						heading: "Disable this endpoint?",
						action: `${c.var.base}/endpoints/${row.id}/toggle`,
						fields: { enabled: "false", back: form.text("back") },
						confirmLabel: "Disable endpoint",
						cancelHref: back ? `${here}#status` : `${here}#endpoints`,
						children: (
							<>
								<p>
									<span class="url">{row.url}</span> stops receiving events.{" "}
									{waiting === 0
										? "Nothing is waiting for it now."
										: `Its ${waiting} pending and retrying ${waiting === 1 ? "delivery is" : "deliveries are"} cancelled.`}
								</p>
								<p>
									Nothing is lost: once it works again, <strong>Resend everything since …</strong> on its page sends what was cancelled and
									every event it missed meanwhile.
								</p>
							</>
						),
					}}
				/>,
			);
		}
		await updateEndpoint(change, policyFor(c.env, c.req.url), row.id, { enabled });
		return done(c, back, enabled ? "enabled" : "disabled");
	})
	.route("/", endpointForms);
