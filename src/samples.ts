/**
 * One realistic SupportBee payload per event type: what "Send test event"
 * delivers, the OpenAPI document's examples, and the fixtures the tests send.
 * The files in static/samples/supportbee are the one copy; the Worker reads
 * them from its static assets (endpoints/deliveryActions.ts), so they stay out
 * of its bundle.
 */
import type { EventType } from "./eventTypes";

/** Where each sample is, among the static assets and in the repository (under static/). */
export const samplePath = (actionType: EventType) => `/samples/supportbee/${actionType}.json`;
