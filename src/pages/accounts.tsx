/**
 * /admin/accounts: the operator's console of accounts. The list (search by
 * uid or name, sort by health), and the daily tasks as forms: create an
 * account, mint an admin link (full or read-only, shown once), end an
 * account's sessions, move an account to another database or delete it
 * (each after a confirmation page). Every POST passes the pages' cross-site
 * check (operatorPages.tsx).
 */
import { Hono } from "hono/tiny";
import { deleteAccount } from "../accounts/accountDeletion";
import { accountListSchema, putAccountSchema } from "../accounts/accountRequests";
import { listAccounts, putAccount } from "../accounts/accountStore";
import { endAccountAccess, linkOrigin, mintAdminLink } from "../accounts/links";
import { refuseImpossibleMove, startMove } from "../accounts/moves";
import { describeDatabases, summarize } from "../accounts/summary";
import { directoryDatabase } from "../db/client";
import { findLiveAccount } from "../db/directory";
import { requireAccount } from "../http/accountScope";
import { limitBody } from "../http/bodyLimit";
import { HttpError } from "../http/errors";
import { validateInput } from "../http/readJson";
import { type PageContext, type PageEnv, pageChrome, readFilters } from "./context";
import { plainProblem, readForm } from "./forms";
import { type AccountSearch, AccountsPage, AdminLinkPage, type RefusedCreate } from "./views/accountsPage";
import { ConfirmPage } from "./views/confirmPage";

/** The least healthy first: most failing endpoints, then most failed deliveries; accounts without counts last. */
const healthOrder = (account: { health: { failing_endpoints: number; deliveries_failed_24h: number } | null }) =>
	account.health ? [account.health.failing_endpoints, account.health.deliveries_failed_24h] : [-1, -1];

async function renderAccounts(c: PageContext, create?: RefusedCreate) {
	const { q = "", prefix = "", cursor } = readFilters(c, accountListSchema).filter;
	const search: AccountSearch = { q, prefix, sort: c.req.query("sort") === "health" ? "health" : "uid" };
	const page = await listAccounts(c.env, { q, prefix, cursor });
	const [accounts, databases] = await Promise.all([summarize(c.env, page.accounts), describeDatabases(c.env)]);
	// Sorted within the page (at most 50 accounts), as listed by uid.
	if (search.sort === "health") {
		accounts.sort((a, b) => {
			const [x, y] = [healthOrder(a), healthOrder(b)];
			return y[0] - x[0] || y[1] - x[1];
		});
	}
	// A refused create says why beside its field and at the top, as every form does.
	const chrome = { ...pageChrome(c, "Accounts", "accounts"), error: create?.error };
	return c.html(
		<AccountsPage chrome={chrome} search={search} accounts={accounts} nextCursor={page.nextCursor} databases={databases} create={create} />,
		create ? 422 : 200,
	);
}

/** Back to the list, showing the account acted on, with a notice saying what happened. */
const backToList = (c: PageContext, uid: string, notice: string) =>
	c.redirect(`/admin/accounts?${new URLSearchParams({ q: uid, notice })}#accounts`, 303);

export const accountsPages = new Hono<PageEnv>()
	.get("/accounts", (c) => renderAccounts(c))
	.post("/accounts", limitBody.other, async (c) => {
		const form = await readForm(c);
		const [uid, name] = [form.text("uid").trim(), form.text("name").trim()];
		try {
			// The API's rules for the name (a blank one is the uid).
			const input = validateInput({ name: name || undefined }, putAccountSchema, "form");
			if (await findLiveAccount(c.env, uid)) throw new HttpError("validation_failed", `An account with uid ${uid} exists already.`);
			await putAccount(c.env, uid, input.name);
		} catch (error) {
			if (error instanceof HttpError && error.status === 422) {
				const field = error.fields && "name" in error.fields ? "name" : "uid";
				return renderAccounts(c, { error: plainProblem(error), field, uid, name });
			}
			throw error;
		}
		return backToList(c, uid, "account-created");
	})
	.post("/accounts/:uid/admin-link", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		const readOnly = (await readForm(c)).text("read_only") === "yes";
		const link = await mintAdminLink(
			c.env,
			account,
			{ expires_in: 300, read_only: readOnly, admin: "account admin" },
			linkOrigin(c.env, c.req.url),
		);
		return c.html(
			<AdminLinkPage
				chrome={pageChrome(c, "Admin link", "accounts")}
				uid={account.uid}
				url={link.url}
				expiresAt={link.expires_at}
				readOnly={readOnly}
			/>,
		);
	})
	.post("/accounts/:uid/end-sessions", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		await directoryDatabase(c.env).batch(endAccountAccess(c.env, account.id));
		return backToList(c, account.uid, "sessions-ended");
	})
	.post("/accounts/:uid/move", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		const form = await readForm(c);
		const database = form.text("database");
		if (!form.confirmed) {
			// Refused now, not after a confirmation of a move that cannot be made.
			refuseImpossibleMove(c.env, account, database);
			return c.html(
				<ConfirmPage
					chrome={pageChrome(c, "Move account", "accounts")}
					confirmation={{
						heading: `Move account ${account.uid} from ${account.database} to ${database}?`,
						children: (
							<p>
								Its endpoints, events, deliveries and history are copied to {database} in steps while it keeps receiving and delivering
								events; then it switches over, and its rows are deleted from {account.database}. For a few seconds around the switch its
								ingest may answer 503 with Retry-After, which the helpdesk retries. Follow it in the Database column.
							</p>
						),
						action: `/admin/accounts/${encodeURIComponent(account.uid)}/move`,
						fields: { database },
						confirmLabel: "Move account",
						cancelHref: "/admin/accounts",
					}}
				/>,
			);
		}
		await startMove(c.env, account, database);
		return backToList(c, account.uid, "move-started");
	})
	.post("/accounts/:uid/delete", limitBody.other, async (c) => {
		const account = await requireAccount(c.env, c.req.param("uid"));
		if (!(await readForm(c)).confirmed) {
			return c.html(
				<ConfirmPage
					chrome={pageChrome(c, "Delete account", "accounts")}
					confirmation={{
						heading: `Delete account ${account.uid}?`,
						children: (
							<p>
								Its endpoints stop receiving events at once, its admins are signed out, and its events, deliveries and history are purged.
								The uid can be created again, as a new, empty account.
							</p>
						),
						action: `/admin/accounts/${encodeURIComponent(account.uid)}/delete`,
						fields: {},
						confirmLabel: "Delete account",
						cancelHref: "/admin/accounts",
					}}
				/>,
			);
		}
		await deleteAccount(c.env, account);
		return c.redirect(`/admin/accounts?notice=account-deleted#accounts`, 303);
	});
