/**
 * /admin/accounts: the operator's list of accounts, by uid, searchable by uid
 * prefix, each with its endpoint count, health and database (and a badge while
 * it is bursting), linking to its pages; and the databases, each with its live
 * accounts and size.
 */
import type { AccountSummary } from "../../accounts/accountResponses";
import type { DatabaseView } from "../../accounts/summary";
import { Badge, NextPageLink, Time } from "./components";
import { type Chrome, Layout } from "./layout";

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
										<td data-label="Endpoints">{account.endpoints ?? "—"}</td>
										<td data-label="Health">
											{account.health
												? `${account.health.failing_endpoints} failing endpoint${account.health.failing_endpoints === 1 ? "" : "s"} · ${account.health.deliveries_failed_24h} deliveries failed (24 h)`
												: "— (database not bound)"}
											{account.bursting && (
												<>
													{" "}
													<Badge kind="bursting">bursting: over its fair rate</Badge>
												</>
											)}
										</td>
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
			<section class="card">
				<h2>Databases</h2>
				<table>
					<thead>
						<tr>
							<th scope="col">Binding</th>
							<th scope="col">Live accounts</th>
							<th scope="col">Size</th>
						</tr>
					</thead>
					<tbody>
						{props.databases.map((database) => (
							<tr>
								<td>
									<code>{database.name}</code>
								</td>
								<td>{database.accounts}</td>
								<td>{(database.sizeBytes / 1e6).toFixed(1)} MB</td>
							</tr>
						))}
					</tbody>
				</table>
			</section>
		</Layout>
	);
}
