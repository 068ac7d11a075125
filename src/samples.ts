/**
 * One realistic SupportBee payload per event type: what "Send test event"
 * delivers, the OpenAPI document's examples, and the fixtures the tests send.
 * The files in static/samples/supportbee are the one copy; the Worker reads
 * them from its static assets, so they stay out of its bundle.
 */
import type { EventType } from "./events";
import { readAsset } from "./http/assets";

/** Where each sample is, among the static assets and in the repository (under static/). */
export const samplePath = (actionType: EventType) => `/samples/supportbee/${actionType}.json`;

/** The sample body of an event type, byte for byte as the file holds it. */
export function sampleEvent(env: Env, actionType: EventType): Promise<string> {
	return readAsset(env, samplePath(actionType));
}
