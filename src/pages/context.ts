/**
 * Who is looking at an account's pages, and where those pages live. The same
 * pages serve three audiences: the operator for the default account
 * (`/admin`), the operator for any account (`/admin/accounts/{uid}`), and an
 * account's own admin in the portal (`/portal`), possibly read-only.
 */
import type { Context } from "hono";
import type { PortalSession } from "../accounts/sessions";
import type { Admin } from "../auth/operator";
import { accountScope } from "../db/client";
import { OPERATOR } from "../endpoints/audit";
import type { ChangeContext } from "../endpoints/endpointChanges";
import type { AccountVariables } from "../http/accountScope";
import type { RequestIdVariables } from "../http/requestId";

export type Viewer = { kind: "operator"; admin: Admin } | { kind: "portal"; session: PortalSession };

export interface PageVariables extends AccountVariables, RequestIdVariables {
	viewer: Viewer;
	/** Where this account's pages live: `/admin`, `/admin/accounts/{uid}` or `/portal`. */
	base: string;
	/** The account's display name, for titles. */
	accountName: string;
	/** Set for operator routes, as on the API. */
	admin: Admin;
}

export interface PageEnv {
	Bindings: Env;
	Variables: PageVariables;
}

export type PageContext = Context<PageEnv>;

/** A list page's query: its filters as typed, without the empty ones (a form sends every field) or the notice of a redirect. */
export function filterQuery(c: PageContext): Record<string, string> {
	return Object.fromEntries(Object.entries(c.req.query()).filter(([name, value]) => value !== "" && name !== "notice"));
}

export function isReadOnly(c: PageContext): boolean {
	const viewer = c.get("viewer");
	return viewer.kind === "portal" && viewer.session.readOnly;
}

/** The account this page acts on, with the viewer as the actor of its changes. */
export function pageChange(c: PageContext): ChangeContext {
	const viewer = c.get("viewer");
	return { ...accountScope(c.env, c.var.account.id), actor: viewer.kind === "operator" ? OPERATOR : viewer.session.admin };
}
