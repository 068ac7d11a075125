/**
 * The OpenAPI description of …/stats (api/stats.ts): its operation, and what
 * the members of its response mean. Build time only: the Worker never
 * imports it (openapi/build.ts does).
 */
import { describeMembers, type ResourceDoc } from "../openapi/operations";
import { endpointHealthSchema, hourlyEventsSchema, statsSchema } from "../reports/reportResponses";

function describeFields(): void {
	describeMembers(endpointHealthSchema, {
		endpoint_id: "The endpoint's id.",
		last_attempt_at: ["Null before its first automatic attempt.", "The newest automatic attempt (Retry now is not counted here)."],
		last_status_code: "The newest automatic attempt's status.",
		last_succeeded: "Whether the newest automatic attempt got a 2xx.",
		last_error: "The newest automatic attempt's error.",
		attempts_ok_rate_24h: "Share of its attempts in the last 24 h that got a 2xx.",
		attempts_24h: "Its attempts in the last 24 h.",
		retrying: "Its deliveries waiting for a retry now.",
		failed_24h: "Its deliveries created in the last 24 h that failed.",
	});
	describeMembers(hourlyEventsSchema, { hour: "The hour's start.", events: "Helpdesk events received in it." });
	describeMembers(statsSchema, {
		since: "The window's start: 24 h ago.",
		events_received_24h: "Helpdesk events received (test events not counted).",
		deliveries_delivered_24h: "Deliveries created in the window that were delivered.",
		deliveries_failed_24h: "Deliveries created in the window that failed.",
		delivery_success_rate_24h: "delivered / (delivered + failed) among deliveries created in the window; null when none ended.",
		retrying_now: "Deliveries waiting for their next automatic attempt now, whenever they were created.",
		failing_endpoints: "Enabled endpoints whose `health.status` is `failing`: their newest automatic attempt failed.",
		events_per_hour: "24 entries, oldest first; the last is the current hour.",
		oldest_waiting_at: [
			"Null when no due delivery of the account waits.",
			"When the account's longest-waiting due delivery (not in flight now) became due: how far behind its lanes are.",
		],
		endpoints: "Every live endpoint's health, in the order they were added.",
	});
}

export const statsDoc: ResourceDoc = {
	tag: { name: "Stats", description: "The last 24 hours at a glance, and every endpoint's health." },
	operations: [
		{
			method: "get",
			path: "/stats",
			id: "getStats",
			tag: "Stats",
			summary: "The last 24 hours and every endpoint's health",
			description:
				'Two different rates: "delivery success" is the share of the deliveries created in the window that ended `delivered` (of those that ended); an endpoint\'s `attempts_ok_rate_24h` is the share of its attempts in the window that got a 2xx.',
			success: { 200: { description: "The account's numbers.", schema: "Stats" } },
		},
	],
	describeFields,
};
