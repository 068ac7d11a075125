/**
 * The operational messages Hivepost sends the operator about the helpdesk's
 * endpoints (alerts/), apart from the 16 ticket events (eventTypes.ts): ingest
 * never accepts these, and only operational endpoints receive them.
 */
export const OPERATIONAL_EVENT_TYPES = ["endpoint.failing", "endpoint.disabled", "endpoint.recovered", "delivery.failed"] as const;

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];
