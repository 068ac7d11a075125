/** The SupportBee sample events (static/samples/supportbee), byte for byte, for scripts and end-to-end tests. */
import { readdirSync, readFileSync } from "node:fs";
import { PROJECT_ROOT } from "./localStack.ts";

const SAMPLES_DIR = `${PROJECT_ROOT}static/samples/supportbee/`;

/** A sample's exact text, as the helpdesk would send it. */
export function sampleBody(actionType: string): string {
	return readFileSync(`${SAMPLES_DIR}${actionType}.json`, "utf8");
}

/** Every sample, ordered by event type. */
export function allSamples(): { type: string; body: string }[] {
	return readdirSync(SAMPLES_DIR)
		.filter((name) => name.endsWith(".json"))
		.sort()
		.map((name) => ({ type: name.replace(/\.json$/, ""), body: readFileSync(SAMPLES_DIR + name, "utf8") }));
}
