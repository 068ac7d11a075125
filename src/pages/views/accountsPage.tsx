/**
 * /admin/accounts: the operator's list of accounts, by uid, searchable by uid
 * prefix, each with its endpoint count, health and database, linking to its
 * pages; and the databases, each with its live accounts and size.
 */
import type { AccountSummary } from "../../accounts/accountResponses";
import type { DatabaseView } from "../../accounts/summary";
import { NextPageLink, Time } from "./components";
import { type Chrome, Layout } from "./layout";

/** D1's limit on one database's size (docs/scaling.md). */
const D1_DATABASE_BYTES = 10 * 1000 ** 3;

/** "0.4 MB (0.0% of 10 GB)": a size as D1 counts it, and how much of a database's limit it is. */
function sizeText(bytes: number): string {
	const megabytes = (bytes / 1000 ** 2).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
	return `${megabytes} MB (${((bytes / D1_DATABASE_BYTES) * 100).toFixed(1)}% of 10 GB)`;
}

function DatabasesTable({ databases }: { databases: DatabaseView[] }) {
	return (
		<div class="table-wrap">
			<table class="stack">
				<thead>
					<tr>
						<th scope="col">Binding</th>
						<th scope="col">Live accounts</th>
						<th scope="col">Size</th>
					</tr>
				</thead>
				<tbody>
					{databases.map((database) => (
						<tr>
							<td data-label="Binding">
								<code>{database.name}</code>
							</td>
							<td data-label="Live accounts">{database.accounts}</td>
							<td data-label="Size">
								{database.sizeBytes === null ? <strong>not bound: its accounts answer 503</strong> : sizeText(database.sizeBytes)}
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

/** An account's endpoint count and health; none when its database is not bound. */
function AccountCounts({ account }: { account: AccountSummary }) {
	if (account.endpoints === null || account.health === null) {
		return (
			<td data-label="Endpoints" colspan={2}>
				<span class="muted">— its database {account.database} is not bound</span>
			</td>
		);
	}
	return (
		<>
			<td data-label="Endpoints">{account.endpoints}</td>
			<td data-label="Health">
				{account.health.failing_endpoints} failing endpoint{account.health.failing_endpoints === 1 ? "" : "s"} ·{" "}
				{account.health.deliveries_failed_24h} deliveries failed (24 h)
			</td>
		</>
	);
}

export function AccountsPage(props: {
	chrome: Chrome;
	prefix: string;
	accounts: AccountSummary[];
	nextCursor: string | null;
	databases: DatabaseView[];
}) {
	return (
		<Layout chrome={props.chrome}>
			<h1>Accounts</h1>
			<search>
				<form method="get" action="/admin/accounts" class="row">
					<label for="prefix">uid starts with</label>
					<input id="prefix" name="prefix" type="text" value={props.prefix} />
					<button type="submit">Search</button>
					<a href="/admin/accounts">Clear</a>
				</form>
			</search>
			<section class="card">
				{props.accounts.length === 0 ? (
					<p class="muted">
						{props.prefix ? "No account's uid starts with that." : "No accounts yet. Create one with PUT /api/accounts/{uid}."}
					</p>
				) : (
					<div class="table-wrap">
						<table class="stack">
							<thead>
								<tr>
									<th scope="col">uid</th>
									<th scope="col">Name</th>
									<th scope="col">Endpoints</th>
									<th scope="col">Health</th>
									<th scope="col">Database</th>
									<th scope="col" class="optional">
										Created
									</th>
								</tr>
							</thead>
							<tbody>
								{props.accounts.map((account) => (
									<tr>
										<td data-label="uid">
											<a href={`/admin/accounts/${encodeURIComponent(account.uid)}`}>
												<code>{account.uid}</code>
											</a>
										</td>
										<td data-label="Name">{account.name}</td>
										<AccountCounts account={account} />
										<td data-label="Database">
											<code>{account.database}</code>
										</td>
										<td class="optional" data-label="Created">
											<Time at={account.created_at} />
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
				<NextPageLink path="/admin/accounts" filter={{ prefix: props.prefix }} cursor={props.nextCursor} label="More" />
			</section>
			<section class="card" aria-labelledby="databases">
				<h2 id="databases">Databases</h2>
				<p>
					<small>New accounts go to the database with the fewest live accounts.</small>
				</p>
				<DatabasesTable databases={props.databases} />
			</section>
		</Layout>
	);
}
