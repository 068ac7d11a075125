/**
 * …/events: every event the account received, newest first, searchable and
 * filterable by type, so one nobody was subscribed to can still be found;
 * Newer and Older pages; and one event with its exact payload and the
 * deliveries it made.
 */

import { EVENT_TYPES } from "../../eventTypes";
import type { EventFilter } from "../../reports/filters";
import type { DeliveryView, EventSummary } from "../../reports/reportResponses";
import { Badge, FilterSelect, PageLinks, SearchBox, Time } from "./components";
import { DeliveryRows } from "./deliveriesPage";
import { prettyJson } from "./deliveryPage";
import { type Chrome, Layout } from "./layout";

export function EventsPage(props: {
	chrome: Chrome;
	filter: EventFilter;
	query: Record<string, string>;
	events: EventSummary[];
	nextCursor: string | null;
	prevCursor: string | null;
}) {
	const { filter } = props;
	const base = props.chrome.base ?? "/admin";
	return (
		<Layout chrome={props.chrome}>
			<h1>Events</h1>
			<SearchBox base={base} value={filter.ticket_id} />
			<form method="get" action={`${base}/events`} class="row">
				<FilterSelect name="event_type" label="Event type" value={filter.event_type} options={EVENT_TYPES} />
				<button type="submit">Filter</button>
				<a href={`${base}/events`}>Clear</a>
			</form>
			<section class="card">
				{props.events.length === 0 ? (
					<p class="muted">{Object.keys(props.query).length ? "No events match." : "No events yet."}</p>
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
											{event.ticket_id && <small class="block">ticket #{event.ticket_id}</small>}
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
				<PageLinks path={`${base}/events`} filter={props.query} newer={props.prevCursor} older={props.nextCursor} />
			</section>
		</Layout>
	);
}

export function EventPage(props: {
	chrome: Chrome;
	event: Omit<EventSummary, "deliveries"> & { body: string; deliveries: DeliveryView[] };
	maxAttempts: number;
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
					<DeliveryRows base={base} deliveries={event.deliveries} maxAttempts={props.maxAttempts} />
				)}
			</section>
			<section class="card" aria-labelledby="payload">
				<h2 id="payload">Payload</h2>
				<pre>{prettyJson(event.body)}</pre>
			</section>
		</Layout>
	);
}
