/**
 * /admin/accounts: the operator's console of accounts. Create one; find
 * accounts by uid or name; each with its endpoint count, its health (in words
 * and colour, and a badge while it is bursting), its database and its actions
 * (an admin link, full or read-only; end its sessions; move it to another
 * database or delete it, each after asking), a move under way beside its
 * database; sort by health; and the databases, each with its live accounts
 * and size.
 */
import type { AccountSummary } from "../../accounts/accountResponses";
import type { DatabaseView } from "../../accounts/summary";
import { DEFAULT_ACCOUNT_UID } from "../../db/defaultAccount";
import { ActionButton, Badge, NextPageLink, Time } from "./components";
import { type Chrome, Layout } from "./layout";

export interface AccountSearch {
	q: string;
	prefix: string;
	sort: "uid" | "health";
}

function Health({ account }: { account: AccountSummary }) {
	if (!account.health) return <>— (database not bound)</>;
	const { failing_endpoints: failing, deliveries_failed_24h: failed } = account.health;
	return (
		<>
			{failing ? <Badge kind="failing">{`${failing} failing`}</Badge> : <Badge kind="working">Working</Badge>}{" "}
			<small>
				{failed} deliver{failed === 1 ? "y" : "ies"} failed (24 h)
			</small>
		</>
	);
}

/** Where the account's data is, and a move under way: where to, its state and the rows copied so far. */
function DatabaseCell({ account }: { account: AccountSummary }) {
	return (
		<>
			<code>{account.database}</code>
			{account.move && account.moving_to && (
				<>
					{" "}
					<Badge kind="bursting">{`moving to ${account.moving_to}: ${account.move.state}`}</Badge>{" "}
					<small>{`${account.move.copied_rows.toLocaleString("en")} ${account.move.copied_rows === 1 ? "row" : "rows"} copied`}</small>
				</>
			)}
		</>
	);
}

/** Move the account's data to another bound database (asked first): offered while no move runs, for any account but the default. */
function MoveForm({ account, databases }: { account: AccountSummary; databases: string[] }) {
	const others = databases.filter((name) => name !== account.database);
	if (account.move || account.uid === DEFAULT_ACCOUNT_UID || !others.length) return null;
	const id = `move-${account.uid}`;
	return (
		<form method="post" action={`/admin/accounts/${encodeURIComponent(account.uid)}/move`} class="row">
			<label for={id}>Move to</label>
			<select id={id} name="database">
				{others.map((name) => (
					<option value={name}>{name}</option>
				))}
			</select>
			<button type="submit" aria-label={`Move ${account.uid}`}>
				Move
			</button>
		</form>
	);
}

/** One account's actions: each a small form posting to /admin/accounts/{uid}/…, its button named with the uid. */
function Actions({ uid, deletable }: { uid: string; deletable: boolean }) {
	const action = (what: string) => `/admin/accounts/${encodeURIComponent(uid)}/${what}`;
	return (
		<div class="row">
			<ActionButton action={action("admin-link")} label="Admin link" name={`Admin link for ${uid}`} />
			<ActionButton action={action("admin-link")} label="Read-only link" name={`Read-only link for ${uid}`} fields={{ read_only: "yes" }} />
			<ActionButton action={action("end-sessions")} label="End sessions" name={`End sessions of ${uid}`} />
			{deletable && <ActionButton action={action("delete")} label="Delete" name={`Delete ${uid}`} kind="danger" />}
		</div>
	);
}

/** The create form's input as typed, and what was refused in it: which field, and why. */
export interface RefusedCreate {
	error: string;
	field: "uid" | "name";
	uid: string;
	name: string;
}

function CreateAccount({ error, field, uid, name }: Partial<RefusedCreate>) {
	const invalid = (which: RefusedCreate["field"]) =>
		error && field === which ? { "aria-invalid": "true" as const, "aria-describedby": `${which}-error` } : {};
	return (
		<section class="card" aria-labelledby="create">
			<h2 id="create">Create an account</h2>
			<form method="post" action="/admin/accounts#create" class="row">
				<label for="uid">uid</label>
				<input id="uid" name="uid" type="text" required value={uid ?? ""} {...invalid("uid")} />
				<label for="name">Name</label>
				<input id="name" name="name" type="text" value={name ?? ""} {...invalid("name")} />
				<button type="submit">Create</button>
			</form>
			{error && (
				<p id={`${field}-error`} class="field-error">
					{error}
				</p>
			)}
		</section>
	);
}

export function AccountsPage(props: {
	chrome: Chrome;
	search: AccountSearch;
	accounts: AccountSummary[];
	nextCursor: string | null;
	databases: DatabaseView[];
	create?: RefusedCreate;
}) {
	const { search } = props;
	const filter = { q: search.q, prefix: search.prefix, sort: search.sort };
	const sortHref = `/admin/accounts?${new URLSearchParams({ q: search.q, prefix: search.prefix, sort: search.sort === "health" ? "uid" : "health" })}`;
	return (
		<Layout chrome={props.chrome}>
			<h1>Accounts</h1>
			<CreateAccount {...props.create} />
			<search>
				<form method="get" action="/admin/accounts" class="row">
					<label for="q">uid or name contains</label>
					<input id="q" name="q" type="search" value={search.q} />
					{search.prefix && <input type="hidden" name="prefix" value={search.prefix} />}
					<input type="hidden" name="sort" value={search.sort} />
					<button type="submit">Search</button>
					<a href="/admin/accounts">Clear</a>
				</form>
			</search>
			<section class="card" aria-labelledby="accounts">
				<h2 id="accounts">
					{search.sort === "health" ? "Least healthy first" : "By uid"} ·{" "}
					<a href={sortHref}>{search.sort === "health" ? "Sort by uid" : "Sort by health"}</a>
				</h2>
				{props.accounts.length === 0 ? (
					<p class="muted">{search.q || search.prefix ? "No account matches that." : "No accounts yet: create one above."}</p>
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
									<th scope="col">Actions</th>
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
											<Health account={account} />
											{account.bursting && (
												<>
													{" "}
													<Badge kind="bursting">bursting: over its fair rate</Badge>
												</>
											)}
										</td>
										<td data-label="Database">
											<DatabaseCell account={account} />
										</td>
										<td class="optional" data-label="Created">
											<Time at={account.created_at} />
										</td>
										<td data-label="Actions">
											<Actions uid={account.uid} deletable={account.uid !== DEFAULT_ACCOUNT_UID} />
											<MoveForm account={account} databases={props.databases.map((database) => database.name)} />
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
				<NextPageLink path="/admin/accounts" filter={filter} cursor={props.nextCursor} label="More" />
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

/** A new admin link, shown once: the operator copies it and sends it to the account's admin. */
export function AdminLinkPage(props: { chrome: Chrome; uid: string; url: string; expiresAt: string; readOnly: boolean }) {
	return (
		<Layout chrome={props.chrome}>
			<h1>{props.readOnly ? "Read-only admin link" : "Admin link"}</h1>
			<section class="card">
				<p>
					For <code>{props.uid}</code>: it signs one browser in to the account's portal
					{props.readOnly ? ", able to see everything but change nothing" : ""}. It works once, until <Time at={props.expiresAt} />. Copy it
					now: it is not shown again.
				</p>
				<label for="admin-link">Link</label>
				<input id="admin-link" type="text" readonly value={props.url} class="secret" />
				<p>
					<a href="/admin/accounts">Back to accounts</a>
				</p>
			</section>
		</Layout>
	);
}
