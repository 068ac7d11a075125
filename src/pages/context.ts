/**
 * Who is looking at an account's pages, and where those pages live. The same
 * pages serve three audiences: the operator for the default account
 * (`/admin`), the operator for any account (`/admin/accounts/{uid}`), and an
 * account's own admin in the portal (`/portal`), possibly read-only. Plus the
 * frame each page gets from that.
 */
import type { Context } from "hono";
import type * as z from "zod/mini";
import type { PortalSession } from "../accounts/sessions";
import type { Operator } from "../auth/operator";
import { readSettings } from "../config";
import { maxAttempts } from "../delivery/stateChanges";
import { OPERATOR } from "../endpoints/audit";
import type { ChangeContext } from "../endpoints/endpointChanges";
import type { FailingEndpoint } from "../endpoints/endpointHealth";
import { scopeOf } from "../http/accountScope";
import type { RouteEnv } from "../http/env";
import { refuseRepeated, validateInput } from "../http/readJson";
import { noticeOf } from "./forms";
import type { Chrome, Section } from "./views/layout";

export type Viewer = { kind: "operator"; operator: Operator } | { kind: "portal"; session: PortalSession };

export type PageEnv = RouteEnv<{
	viewer: Viewer;
	/** Where this account's pages live: `/admin`, `/admin/accounts/{uid}` or `/portal`. */
	base: string;
	/** The account's display name, for titles. */
	accountName: string;
	/** Set for operator routes, as on the API. */
	operator: Operator;
	/** The account's failing endpoints, for the banner (read by its pages: perAccount.tsx). */
	failing: FailingEndpoint[];
}>;

export type PageContext = Context<PageEnv>;

/**
 * A list page's filters: `query` as typed, without the empty ones (a form sends every field) or the notice of a
 * redirect, and `filter`, validated by `schema` as the API's list validates it (a filter given twice refused too).
 */
export function readFilters<Schema extends z.ZodMiniObject>(c: PageContext, schema: Schema) {
	refuseRepeated(c, schema);
	const query = Object.fromEntries(
		Object.entries(c.req.query()).filter(([name, value]) => value !== "" && name !== "notice" && name !== "count"),
	);
	return { query, filter: validateInput(query, schema, "query") };
}

/** The most automatic attempts a delivery gets, for "attempt 2 of 4". */
export function maxAttemptsOf(c: PageContext): number {
	return maxAttempts(readSettings(c.env));
}

export function isReadOnly(c: PageContext): boolean {
	const viewer = c.get("viewer");
	return viewer.kind === "portal" && viewer.session.readOnly;
}

/** The account this page acts on, with the viewer as the actor of its changes. */
export function pageChange(c: PageContext): ChangeContext {
	const viewer = c.get("viewer");
	return { ...scopeOf(c), actor: viewer.kind === "operator" ? OPERATOR : viewer.session.admin };
}

/** The frame of a page; pages of no account (the operator's list of accounts) have no `account` set, and name none. */
export function pageChrome(c: PageContext, title: string, current?: Section): Chrome {
	const account = c.get("account");
	const notice = noticeOf(c);
	return {
		title,
		current,
		base: c.var.base,
		viewer: c.var.viewer,
		account: account ? { uid: account.uid, name: c.var.accountName } : null,
		notice: notice?.text,
		noticeCard: notice?.card,
		privateDestinationsAllowed: readSettings(c.env).allowPrivateDestinations,
		failing: c.get("failing") && { endpoints: c.get("failing"), readOnly: isReadOnly(c) },
	};
}
