/**
 * Draws the benchmark's figures as a hand-written SVG: one panel per measure,
 * grouped bars (per fan-out N, or per run of the isolation scenario), on a
 * linear axis or, for latencies spanning orders of magnitude, a log axis with
 * target lines.
 */

export interface ChartPanel {
	title: string;
	unit: string;
	/** One group per fan-out N (or per run); bars in `series` order. */
	groups: { label: string; values: number[]; note?: string }[];
	series: { name: string; color: string }[];
	/** A logarithmic value axis (powers of ten), for figures that span several orders of magnitude. */
	logScale?: boolean;
	/** Dashed horizontal lines across the plot, e.g. targets. */
	marks?: { value: number; label: string }[];
}

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 300;
const MARGIN = { top: 50, right: 20, bottom: 60, left: 60 };

function escapeXml(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A round axis maximum: 1, 2 or 5 times a power of ten, at least `value`. */
function niceMax(value: number): number {
	const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
	return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? 10 * power;
}

/** The value axis: where a value sits (0 = bottom, 1 = top) and the ticks to label. */
function valueAxis(values: number[], logScale: boolean): { position: (value: number) => number; ticks: number[] } {
	if (!logScale) {
		const max = niceMax(Math.max(...values));
		return { position: (value) => value / max, ticks: [0, 1, 2, 3, 4].map((tick) => (max * tick) / 4) };
	}
	const positive = values.filter((value) => value > 0 && Number.isFinite(value));
	if (positive.length === 0) positive.push(1);
	// Ticks at 1, 10, 100…: whole numbers, so the labels stay exact.
	const low = Math.max(0, Math.floor(Math.log10(Math.min(...positive))));
	const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))));
	return {
		position: (value) => (Math.log10(Math.max(value, 10 ** low)) - low) / (high - low),
		ticks: Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i)),
	};
}

function panel(spec: ChartPanel, offsetX: number): string {
	const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
	const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
	const marks = spec.marks ?? [];
	const axis = valueAxis([...spec.groups.flatMap((group) => group.values), ...marks.map((mark) => mark.value)], spec.logScale ?? false);
	const y = (value: number) => MARGIN.top + plotHeight - axis.position(value) * plotHeight;
	const groupWidth = plotWidth / spec.groups.length;
	const barWidth = (groupWidth * 0.8) / spec.series.length;
	const parts: string[] = [`<g transform="translate(${offsetX},0)">`];
	parts.push(`<text x="${PANEL_WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);
	for (const value of axis.ticks) {
		parts.push(
			`<line x1="${MARGIN.left}" x2="${PANEL_WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
			`<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end" font-size="11">${Math.round(value)}</text>`,
		);
	}
	parts.push(
		`<text transform="translate(14,${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(spec.logScale ? `${spec.unit} (log scale)` : spec.unit)}</text>`,
	);
	spec.groups.forEach((group, g) => {
		const groupX = MARGIN.left + g * groupWidth + groupWidth * 0.1;
		group.values.forEach((value, s) => {
			const x = groupX + s * barWidth;
			parts.push(
				`<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(MARGIN.top + plotHeight - y(value)).toFixed(1)}" fill="${spec.series[s].color}"><title>${escapeXml(`${spec.series[s].name}, ${group.label}: ${value.toFixed(0)} ${spec.unit}`)}</title></rect>`,
			);
		});
		const centre = MARGIN.left + (g + 0.5) * groupWidth;
		parts.push(
			`<text x="${centre}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="12">${escapeXml(group.label)}</text>`,
		);
		if (group.note) {
			parts.push(
				`<text x="${centre}" y="${MARGIN.top + plotHeight + 32}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(group.note)}</text>`,
			);
		}
	});
	for (const mark of marks) {
		parts.push(
			`<line x1="${MARGIN.left}" x2="${PANEL_WIDTH - MARGIN.right}" y1="${y(mark.value).toFixed(1)}" y2="${y(mark.value).toFixed(1)}" stroke="#c0392b" stroke-dasharray="5,3"/>`,
			// Haloed, so the label stays readable where it crosses a bar.
			`<text x="${MARGIN.left + 4}" y="${(y(mark.value) - 4).toFixed(1)}" font-size="10" fill="#c0392b" stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(mark.label)}</text>`,
		);
	}
	spec.series.forEach((series, s) => {
		const x = MARGIN.left + s * 120;
		const legendY = PANEL_HEIGHT - 12;
		parts.push(
			`<rect x="${x}" y="${legendY - 10}" width="10" height="10" fill="${series.color}"/>`,
			`<text x="${x + 14}" y="${legendY}" font-size="11">${escapeXml(series.name)}</text>`,
		);
	});
	parts.push("</g>");
	return parts.join("\n");
}

/** Panels side by side, with a caption line under them. */
export function barChart(panels: ChartPanel[], caption: string): string {
	const width = PANEL_WIDTH * panels.length;
	const height = PANEL_HEIGHT + 24;
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
		`<rect width="${width}" height="${height}" fill="white"/>`,
		...panels.map((spec, i) => panel(spec, i * PANEL_WIDTH)),
		`<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(caption)}</text>`,
		"</svg>",
		"",
	].join("\n");
}
