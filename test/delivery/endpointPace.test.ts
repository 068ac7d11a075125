/** When an endpoint's share of a batch would hold the batch past the slow threshold (src/delivery/endpointPace.ts). */
import { describe, expect, it } from "vitest";
import { EndpointPace } from "../../src/delivery/endpointPace";

const LIMIT_MS = 1000;

/** Each answer's duration with what is left unsent after it; whether the last one judges the endpoint too slow. */
function judged(answers: [durationMs: number, unsent: number][]): boolean[] {
	const pace = new EndpointPace();
	return answers.map(([durationMs, unsent]) => pace.holdsTooLong("ep", durationMs, unsent, LIMIT_MS));
}

describe("an endpoint's pace in a batch", () => {
	it("is judged once a full round of its connections (3) has answered", () => {
		expect(
			judged([
				[250, 30],
				[250, 29],
				[250, 28],
			]),
		).toEqual([false, false, true]);
	});

	it("holds the batch too long when its unsent deliveries, 3 at a time, would take longer than the threshold", () => {
		// 250 ms each: 12 take exactly 1 s, 13 longer.
		expect(
			judged([
				[250, 13],
				[250, 13],
				[250, 13],
			])[2],
		).toBe(true);
		expect(
			judged([
				[250, 12],
				[250, 12],
				[250, 12],
			])[2],
		).toBe(false);
	});

	it("goes by its fastest answer, not its mean: one answer stretched by a busy isolate does not count", () => {
		// At the mean (387 ms) 20 left would take 2.6 s; at the fastest (130 ms), 0.87 s. 24 left at 130 ms: 1.04 s.
		const stretched: [number, number][] = [
			[900, 20],
			[130, 20],
			[130, 20],
		];
		expect(judged(stretched)[2]).toBe(false);
		expect(judged([...stretched, [130, 24]])[3]).toBe(true);
	});

	it("leaves an endpoint alone whose fastest answer is under an eighth of the threshold, however much of the batch is its", () => {
		expect(
			judged([
				[120, 1000],
				[120, 1000],
				[120, 1000],
			])[2],
		).toBe(false);
		expect(
			judged([
				[125, 1000],
				[125, 1000],
				[125, 1000],
			])[2],
		).toBe(true);
	});

	it("keeps each endpoint's pace apart", () => {
		const pace = new EndpointPace();
		for (const endpoint of ["slow", "slow", "fast", "fast"]) pace.holdsTooLong(endpoint, endpoint === "slow" ? 500 : 5, 40, LIMIT_MS);
		expect(pace.holdsTooLong("fast", 5, 40, LIMIT_MS)).toBe(false);
		expect(pace.holdsTooLong("slow", 500, 40, LIMIT_MS)).toBe(true);
	});
});
