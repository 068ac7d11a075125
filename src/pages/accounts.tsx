/** /admin/accounts: the operator's list of accounts, searchable by uid prefix, each with its endpoint count, health and database; and the databases. */
import { Hono } from "hono/tiny";
import { accountListSchema } from "../accounts/accountRequests";
import { listAccounts } from "../accounts/accountStore";
import { describeDatabases, summarize } from "../accounts/summary";
import { validateInput } from "../http/readJson";
import { filterQuery, type PageEnv, pageChrome } from "./context";
import { AccountsPage } from "./views/accountsPage";

export const accountsPages = new Hono<PageEnv>().get("/accounts", async (c) => {
	const { prefix = "", cursor } = validateInput(filterQuery(c), accountListSchema, "query");
	const page = await listAccounts(c.env, { prefix, cursor });
	const [accounts, databases] = await Promise.all([summarize(c.env, page.accounts), describeDatabases(c.env)]);
	return c.html(
		<AccountsPage
			chrome={pageChrome(c, "Accounts", "accounts")}
			prefix={prefix}
			accounts={accounts}
			nextCursor={page.nextCursor}
			databases={databases}
		/>,
	);
});
