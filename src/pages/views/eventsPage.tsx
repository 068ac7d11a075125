/**
 * …/events: every event the account received, newest first, filterable by
 * type, so one nobody was subscribed to can still be found; and one event
 * with its exact payload and the deliveries it made.
 */

import { EVENT_TYPES } from "../../eventTypes";
import type { EventFilter } from "../../reports/filters";
import type { DeliveryView, EventSummary } from "../../reports/reportResponses";
import { Badge, FilterSelect, NextPageLink, Time } from "./components";
import { DeliveryRows } from "./deliveriesPage";
import { prettyJson } from "./deliveryPage";
import { type Chrome, Layout } from "./layout";

export function EventsPage(props: { chrome: Chrome; filter: EventFilter; events: EventSummary[]; nextCursor: string | null }) {
	const { filter } = props;
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<h1>Events</h1>
			<form method="get" action={`${base}/events`} class="row">
				<FilterSelect name="event_type" label="Event type" value={filter.event_type} options={EVENT_TYPES} />
				<button type="submit">Filter</button>
				<a href={`${base}/events`}>Clear</a>
			</form>
			<section class="card">
				{props.events.length === 0 ? (
					<p class="muted">{filter.event_type || filter.cursor ? "No events match this filter." : "No events yet."}</p>
				) : (
					<div class="table-wrap">
						<table class="stack">
							<thead>
								<tr>
									<th scope="col">Received</th>
									<th scope="col">Event</th>
									<th scope="col">Deliveries</th>
								</tr>
							</thead>
							<tbody>
								{props.events.map((event) => (
									<tr>
										<td data-label="Received">
											<a href={`${base}/events/${event.id}`}>
												<Time at={event.received_at} />
											</a>
										</td>
										<td data-label="Event">
											<code>{event.action_type}</code> {event.test && <Badge kind="test">test</Badge>}
										</td>
										<td data-label="Deliveries">
											{event.deliveries === 0 ? <span class="muted">none: no endpoint was subscribed</span> : event.deliveries}
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
				<NextPageLink path={`${base}/events`} filter={filter} cursor={props.nextCursor} label="Older" />
			</section>
		</Layout>
	);
}

export function EventPage(props: {
	chrome: Chrome;
	event: Omit<EventSummary, "deliveries"> & { body: string; deliveries: DeliveryView[] };
}) {
	const { event } = props;
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<p>
				<a href={`${base}/events`}>← Events</a>
			</p>
			<h1>
				<code>{event.action_type}</code> event
			</h1>
			<section class="card">
				<dl class="facts">
					<dt>Received</dt>
					<dd>
						<Time at={event.received_at} />
					</dd>
					<dt>Event id (webhook-id)</dt>
					<dd>
						<code>{event.id}</code> {event.test && <Badge kind="test">test event</Badge>}
					</dd>
				</dl>
			</section>
			<section class="card" aria-labelledby="event-deliveries">
				<h2 id="event-deliveries">Deliveries</h2>
				{event.deliveries.length === 0 ? (
					<p class="muted">None: no endpoint was subscribed to this event when it arrived.</p>
				) : (
					<DeliveryRows base={base} deliveries={event.deliveries} />
				)}
			</section>
			<section class="card" aria-labelledby="payload">
				<h2 id="payload">Payload</h2>
				<pre>{prettyJson(event.body)}</pre>
			</section>
		</Layout>
	);
}
