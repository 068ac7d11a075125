/**
 * …/deliveries: the delivery log, newest first, searchable and filterable
 * (failing now, by status, endpoint, event type and error kind), each with its
 * last result in words and where it stands; Newer and Older pages. On a phone
 * the endpoint and the last result stay in view.
 */
import { DELIVERY_STATUSES } from "../../db/schema";
import { ERROR_KINDS } from "../../delivery/errorKinds";
import { EVENT_TYPES } from "../../eventTypes";
import { utcText } from "../../lib/time";
import type { DeliveryFilter } from "../../reports/filters";
import type { DeliveryView } from "../../reports/reportResponses";
import { Badge, FilterSelect, PageLinks, SearchBox, Time } from "./components";
import { type Chrome, Layout } from "./layout";
import { progressWords, Result } from "./results";

export function DeliveryRows({ base, deliveries, maxAttempts }: { base: string; deliveries: DeliveryView[]; maxAttempts: number }) {
	return (
		<div class="table-wrap">
			<table class="stack deliveries">
				<thead>
					<tr>
						<th scope="col">Created</th>
						<th scope="col" class="optional">
							Event
						</th>
						<th scope="col">Endpoint</th>
						<th scope="col">Status</th>
						<th scope="col">Last result</th>
					</tr>
				</thead>
				<tbody>
					{deliveries.map((delivery) => (
						<tr>
							<td data-label="Created">
								<a href={`${base}/deliveries/${delivery.id}`}>
									<Time at={delivery.created_at} />
								</a>
							</td>
							<td class="optional" data-label="Event">
								<code>{delivery.action_type}</code> {delivery.test && <Badge kind="test">test</Badge>}
								{delivery.ticket_id && <small class="block">ticket #{delivery.ticket_id}</small>}
							</td>
							<td class="url" data-label="Endpoint">
								{delivery.endpoint_url}
							</td>
							<td data-label="Status">
								<Badge kind={delivery.status} /> <small class="block">{progressWords(delivery, maxAttempts)}</small>
							</td>
							<td data-label="Last result">
								{delivery.last_attempt ? (
									<Result outcome={delivery.last_attempt} url={delivery.endpoint_url} />
								) : (
									<span class="muted">not tried yet</span>
								)}
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

/** Filters set by a link rather than the form (a time range, a ticket, a status code): kept as the form is submitted. */
const CARRIED = ["since", "until", "ticket_id", "http_status"] as const;

/** A carried filter's value as the page shows it: a time in the one format. */
const shown = (name: string, value: string) => (name === "since" || name === "until" ? utcText(Date.parse(value)) : value);

export function DeliveriesPage(props: {
	chrome: Chrome;
	filter: DeliveryFilter;
	/** The query as typed, for the Newer and Older links. */
	query: Record<string, string>;
	endpoints: { id: string; url: string }[];
	deliveries: DeliveryView[];
	nextCursor: string | null;
	prevCursor: string | null;
	maxAttempts: number;
}) {
	const { filter, query } = props;
	const base = props.chrome.base ?? "/admin";
	const narrowed = CARRIED.filter((name) => query[name]);
	return (
		<Layout chrome={props.chrome}>
			<h1>Deliveries</h1>
			<SearchBox base={base} value={filter.ticket_id} />
			<form method="get" action={`${base}/deliveries`} class="row">
				{narrowed.map((name) => (
					<input type="hidden" name={name} value={query[name]} />
				))}
				<label class="filter">
					<input type="checkbox" name="failing" value="true" checked={filter.failing === "true"} /> Failing now
				</label>
				<FilterSelect name="status" label="Status" value={filter.status} options={DELIVERY_STATUSES} />
				<FilterSelect
					name="endpoint_id"
					label="Endpoint"
					value={filter.endpoint_id}
					options={props.endpoints.map((endpoint) => ({ value: endpoint.id, label: endpoint.url }))}
				/>
				<FilterSelect name="event_type" label="Event type" value={filter.event_type} options={EVENT_TYPES} />
				<FilterSelect name="error_kind" label="Error" value={filter.error_kind} options={ERROR_KINDS} />
				<button type="submit">Filter</button>
				<a href={`${base}/deliveries`}>Clear</a>
			</form>
			{narrowed.length > 0 && (
				<p>
					<small>Also: {narrowed.map((name) => `${name.replace("_", " ")} ${shown(name, query[name])}`).join(" · ")}</small>
				</p>
			)}
			<section class="card">
				{props.deliveries.length === 0 ? (
					<p class="muted">
						{Object.keys(query).length
							? "No deliveries match."
							: "No deliveries yet: they appear here when the helpdesk sends an event, or when you send a test event from an endpoint's page."}
					</p>
				) : (
					<DeliveryRows base={base} deliveries={props.deliveries} maxAttempts={props.maxAttempts} />
				)}
				<PageLinks path={`${base}/deliveries`} filter={query} newer={props.prevCursor} older={props.nextCursor} />
			</section>
		</Layout>
	);
}
