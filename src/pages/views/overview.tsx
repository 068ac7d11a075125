/**
 * The last 24 h at a glance: counts and an hourly bar chart drawn as inline
 * SVG on the server. "Delivery success" counts deliveries, and says so, next
 * to the endpoints' "attempts ok", which counts attempts.
 */
import type { Stats } from "../../reports/accountStats";
import { percent } from "./components";

const BAR_WIDTH = 10;
const CHART_HEIGHT = 80;

export function EventsChart({ hours }: { hours: Stats["events_per_hour"] }) {
	const peak = Math.max(1, ...hours.map((hour) => hour.events));
	return (
		<svg
			class="chart"
			viewBox={`0 0 ${hours.length * BAR_WIDTH} ${CHART_HEIGHT}`}
			preserveAspectRatio="none"
			role="img"
			aria-label="Events received per hour, last 24 hours"
		>
			<line x1="0" y1={CHART_HEIGHT - 0.5} x2={hours.length * BAR_WIDTH} y2={CHART_HEIGHT - 0.5} />
			{hours.map((hour, i) => {
				const height = hour.events === 0 ? 0 : Math.max(2, (hour.events / peak) * (CHART_HEIGHT - 4));
				return (
					<rect
						class={i === hours.length - 1 ? "bar current" : "bar"}
						x={i * BAR_WIDTH + 1}
						y={CHART_HEIGHT - height}
						width={BAR_WIDTH - 2}
						height={height}
					>
						<title>{`${hour.hour.slice(11, 16)} UTC: ${hour.events} events`}</title>
					</rect>
				);
			})}
		</svg>
	);
}

export function Overview({ stats }: { stats: Stats }) {
	return (
		<section class="card" aria-labelledby="overview">
			<h2 id="overview">Last 24 hours</h2>
			<div class="stats">
				<div class="stat">
					<b>{stats.events_received_24h}</b> events received
				</div>
				<div class="stat">
					<b>{percent(stats.delivery_success_rate_24h)}</b> delivery success
					<small class="block">share of the deliveries that ended, delivered</small>
				</div>
				<div class="stat">
					<b>{stats.deliveries_delivered_24h}</b> delivered
				</div>
				<div class="stat">
					<b>{stats.deliveries_failed_24h}</b> failed
				</div>
			</div>
			<EventsChart hours={stats.events_per_hour} />
			<div class="axis">
				<small>24 h ago</small>
				<small class="muted">events per hour (UTC); test events not counted</small>
				<small>now</small>
			</div>
		</section>
	);
}
