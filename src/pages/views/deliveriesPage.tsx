/** …/deliveries: the delivery log, newest first, filterable, paginated. */
import { DELIVERY_STATUSES } from "../../db/schema";
import { EVENT_TYPES } from "../../eventTypes";
import type { DeliveryFilter } from "../../reports/filters";
import type { DeliveryView } from "../../reports/reportResponses";
import { Badge, FilterSelect, NextPageLink, Time } from "./components";
import { type Chrome, Layout } from "./layout";

export function DeliveryRows({ base, deliveries }: { base: string; deliveries: DeliveryView[] }) {
	return (
		<div class="table-wrap">
			<table class="stack">
				<thead>
					<tr>
						<th scope="col">Created</th>
						<th scope="col">Event</th>
						<th scope="col" class="optional">
							Endpoint
						</th>
						<th scope="col">Status</th>
						<th scope="col" class="optional">
							Attempts
						</th>
						<th scope="col" class="optional">
							Next retry
						</th>
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
							<td data-label="Event">
								<code>{delivery.action_type}</code> {delivery.test && <Badge kind="test">test</Badge>}
							</td>
							<td class="optional url" data-label="Endpoint">
								{delivery.endpoint_url}
							</td>
							<td data-label="Status">
								<Badge kind={delivery.status} />
							</td>
							<td class="optional" data-label="Attempts">
								{delivery.attempt_count}
							</td>
							<td class="optional" data-label="Next retry">
								<Time at={delivery.next_attempt_at} />
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

export function DeliveriesPage(props: {
	chrome: Chrome;
	filter: DeliveryFilter;
	endpoints: { id: string; url: string }[];
	deliveries: DeliveryView[];
	nextCursor: string | null;
}) {
	const { filter } = props;
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<h1>Deliveries</h1>
			<form method="get" action={`${base}/deliveries`} class="row">
				<FilterSelect name="status" label="Status" value={filter.status} options={DELIVERY_STATUSES} />
				<FilterSelect
					name="endpoint_id"
					label="Endpoint"
					value={filter.endpoint_id}
					options={props.endpoints.map((endpoint) => ({ value: endpoint.id, label: endpoint.url }))}
				/>
				<FilterSelect name="event_type" label="Event type" value={filter.event_type} options={EVENT_TYPES} />
				<button type="submit">Filter</button>
				<a href={`${base}/deliveries`}>Clear</a>
			</form>
			<section class="card">
				{props.deliveries.length === 0 ? (
					<p class="muted">
						{filter.status || filter.endpoint_id || filter.event_type || filter.cursor
							? "No deliveries match these filters."
							: "No deliveries yet: they appear here when the helpdesk sends an event, or when you send a test event from an endpoint's page."}
					</p>
				) : (
					<DeliveryRows base={base} deliveries={props.deliveries} />
				)}
				<NextPageLink path={`${base}/deliveries`} filter={filter} cursor={props.nextCursor} label="Older" />
			</section>
		</Layout>
	);
}
