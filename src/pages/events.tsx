/** An account's events as pages: every event newest first (filtered by type), and one event with its payload and deliveries. */
import { Hono } from "hono/tiny";
import { eventDetail, listEvents } from "../reports/eventLog";
import { eventFilterSchema } from "../reports/filters";
import { maxAttemptsOf, type PageEnv, pageChange, pageChrome, readFilters } from "./context";
import { EventPage, EventsPage } from "./views/eventsPage";

export const eventPages = new Hono<PageEnv>()
	.get("/events", async (c) => {
		const { query, filter } = readFilters(c, eventFilterSchema);
		const page = await listEvents(pageChange(c), filter);
		return c.html(
			<EventsPage
				chrome={pageChrome(c, "Events", "events")}
				filter={filter}
				query={query}
				events={page.events}
				nextCursor={page.next_cursor}
				prevCursor={page.prev_cursor}
			/>,
		);
	})
	.get("/events/:id", async (c) => {
		const event = await eventDetail(pageChange(c), c.req.param("id"));
		return c.html(<EventPage chrome={pageChrome(c, "Event", "events")} event={event} maxAttempts={maxAttemptsOf(c)} />);
	});
