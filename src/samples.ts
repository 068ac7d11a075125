/**
 * One realistic SupportBee payload per event type: what "Send test event"
 * delivers, the OpenAPI document's examples, and the fixtures the tests send.
 * The files in static/samples/supportbee are the one copy; the Worker reads
 * them from its static assets, so they stay out of its bundle.
 */
import type { EventType } from "./events";

/** Where each sample is, among the static assets and in the repository (under static/). */
export const samplePath = (actionType: EventType) => `/samples/supportbee/${actionType}.json`;

/** The sample body of an event type, byte for byte as the file holds it. */
export async function sampleEvent(env: Env, actionType: EventType): Promise<string> {
	const asset = await env.ASSETS.fetch(new URL(samplePath(actionType), "https://assets.invalid"));
	if (!asset.ok) throw new Error(`the static asset ${samplePath(actionType)} answered ${asset.status}`);
	return asset.text();
}
