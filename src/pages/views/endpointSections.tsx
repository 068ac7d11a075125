/**
 * The sections of an endpoint's page that list and change its parts: custom
 * headers, the signing secret, the record of changes (every time in it in the
 * pages' one format).
 */
import type { AuditEntry } from "../../endpoints/audit";
import type { EndpointView } from "../../endpoints/endpointResponses";
import { utcText } from "../../lib/time";
import { ActionButton, CardNotice, FieldError, invalidProps, Time } from "./components";
import type { EndpointPageProps } from "./endpointPage";
import type { Chrome } from "./layout";

export function HeadersSection({
	chrome,
	base,
	endpoint,
	typed,
	readOnly,
}: {
	chrome: Chrome;
	base: string;
	endpoint: EndpointView;
	typed?: EndpointPageProps["typedHeader"];
	readOnly: boolean;
}) {
	const entries = Object.entries(endpoint.headers);
	return (
		<section class="card" aria-labelledby="headers">
			<h2 id="headers">Custom request headers</h2>
			<CardNotice chrome={chrome} card="headers" />
			<p>
				<small>Sent with every delivery, e.g. the receiver's own Authorization. Values are write-only: only a hint is shown.</small>
			</p>
			{entries.length === 0 ? (
				<p class="muted">No custom headers.</p>
			) : (
				<table>
					<thead>
						<tr>
							<th scope="col">Header</th>
							<th scope="col">Value</th>
							<th scope="col">
								<span class="visually-hidden">Actions</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{entries.map(([name, hint]) => (
							<tr>
								<td>
									<code>{name}</code>
								</td>
								<td>
									<code>{hint}</code>
								</td>
								<td>
									{!readOnly && (
										<ActionButton
											action={`${base}/headers/remove#headers`}
											label="Remove"
											name={`Remove header ${name}`}
											kind="danger"
											fields={{ name }}
										/>
									)}
								</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
			{!readOnly && (
				<form method="post" action={`${base}/headers#headers`} class="header-form">
					<div>
						<label for="header-name">Header name</label>
						<input
							id="header-name"
							type="text"
							name="name"
							value={typed?.name ?? ""}
							placeholder="Authorization"
							required
							{...invalidProps("header-name", typed?.problem)}
						/>
					</div>
					<div>
						<label for="header-value">Value</label>
						<input id="header-value" type="password" name="value" placeholder="value" autocomplete="off" />
					</div>
					<button type="submit">Set header</button>
					<FieldError id="header-name" error={typed?.problem} />
				</form>
			)}
		</section>
	);
}

export function SecretSection(props: {
	chrome: Chrome;
	base: string;
	revealed?: string | null;
	previousExpiresAt: string | null;
	url: string;
}) {
	return (
		<section class="card" aria-labelledby="secret">
			<h2 id="secret">Signing secret</h2>
			<CardNotice chrome={props.chrome} card="secret" />
			<p>
				<code>{props.revealed ?? "whsec_••••••••••••••••"}</code>
			</p>
			{props.previousExpiresAt && (
				<p>
					<small>
						Secrets replaced in the last 24 hours also sign every delivery, each until its own expiry; the last stops at{" "}
						<Time at={props.previousExpiresAt} />.
					</small>
				</p>
			)}
			<div class="row">
				<ActionButton action={`${props.base}/secret#secret`} label="Reveal" name={`Reveal the signing secret of ${props.url}`} />
				<ActionButton
					action={`${props.base}/rotate-secret#secret`}
					label="Rotate"
					name={`Rotate the signing secret of ${props.url}`}
					kind="danger"
				/>
			</div>
		</section>
	);
}

/** Details recorded before every time was written in the one format held ISO times: shown in it too. */
function inOneFormat(detail: string): string {
	return detail.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (time) => utcText(Date.parse(time)));
}

export function ChangesSection({ changes }: { changes: AuditEntry[] }) {
	return (
		<section class="card" aria-labelledby="changes">
			<h2 id="changes">Changes</h2>
			{changes.length === 0 ? (
				<p class="muted">No changes recorded.</p>
			) : (
				<table class="stack">
					<thead>
						<tr>
							<th scope="col">When</th>
							<th scope="col">Who</th>
							<th scope="col">What</th>
						</tr>
					</thead>
					<tbody>
						{changes.map((change) => (
							<tr>
								<td data-label="When">
									<Time at={change.at} />
								</td>
								<td data-label="Who">{change.actor}</td>
								<td data-label="What">
									{change.action}
									{change.detail && <small> · {inOneFormat(change.detail)}</small>}
								</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</section>
	);
}
