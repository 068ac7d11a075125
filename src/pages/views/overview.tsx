/**
 * The last 24 h at a glance: the summary line, counts (each a link to what it
 * counts, retrying ones included) and an hourly bar chart drawn as inline SVG
 * on the server. The share delivered counts deliveries that ended, and says
 * so, next to the endpoints' "attempts ok", which counts attempts.
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

/**
 * The first line an admin reads: "2 of 3 endpoints failing · 5 retrying · 0
 * failed (24 h)", each part a link to the list it counts.
 */
export function Summary({ stats, base, endpoints }: { stats: Stats; base: string; endpoints: number }) {
	if (endpoints === 0) return null;
	const failedSince = `${base}/deliveries?status=failed&since=${encodeURIComponent(stats.since)}`;
	return (
		<p class={`summary ${stats.failing_endpoints ? "bad" : "good"}`}>
			<a href={`${base}?show=failing#endpoints`}>
				{stats.failing_endpoints} of {endpoints} endpoint{endpoints === 1 ? "" : "s"} failing
			</a>{" "}
			· <a href={`${base}/deliveries?status=retrying`}>{stats.retrying_now} retrying</a> ·{" "}
			<a href={failedSince}>{stats.deliveries_failed_24h} failed (24 h)</a>
		</p>
	);
}

function Tile({ href, value, children }: { href?: string; value: string | number; children: string }) {
	return href ? (
		<a class="stat" href={href}>
			<b>{value}</b> {children}
		</a>
	) : (
		<div class="stat">
			<b>{value}</b> {children}
		</div>
	);
}

export function Overview({ stats, base }: { stats: Stats; base: string }) {
	const since = `since=${encodeURIComponent(stats.since)}`;
	return (
		<section class="card" aria-labelledby="overview">
			<h2 id="overview">Last 24 hours</h2>
			<div class="stats">
				<Tile href={`${base}/events?${since}`} value={stats.events_received_24h}>
					events received
				</Tile>
				<Tile href={`${base}/deliveries?status=delivered&${since}`} value={stats.deliveries_delivered_24h}>
					delivered
				</Tile>
				<Tile href={`${base}/deliveries?status=retrying`} value={stats.retrying_now}>
					retrying now
				</Tile>
				<Tile href={`${base}/deliveries?status=failed&${since}`} value={stats.deliveries_failed_24h}>
					failed
				</Tile>
				<Tile value={percent(stats.delivery_success_rate_24h)}>delivered of those that ended</Tile>
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
