/**
 * Operational endpoints: where Hivepost sends the operator its operational
 * messages (operationalEventTypes.ts). They are endpoints of the operator's
 * account (db/operatorAccount.ts), so registering, editing, rotating and
 * deleting them is endpointChanges.ts, with the same destination checks and
 * secrets; only their event filter (the operational catalogue) and their view
 * are their own.
 */
import * as z from "zod/mini";
import { operatorScope } from "../db/operatorAccount";
import { iso } from "../lib/time";
import { OPERATIONAL_EVENT_TYPES } from "../operationalEventTypes";
import { OPERATOR } from "./audit";
import type { ChangeContext } from "./endpointChanges";
import { endpointHealth } from "./endpointHealth";
import { eventListOf } from "./endpointRequests";
import type { EndpointRow } from "./endpointStore";
import type { OperationalEndpointView } from "./operationalResponses";

const operationalEventList = eventListOf(OPERATIONAL_EVENT_TYPES);

export const createOperationalEndpointSchema = z.object({
	url: z.string({ error: "must be a URL string" }),
	events: z.optional(operationalEventList),
});

export const updateOperationalEndpointSchema = z.object({
	url: z.optional(z.string({ error: "must be a URL string" })),
	enabled: z.optional(z.boolean({ error: "must be true or false" })),
	events: z.optional(operationalEventList),
});

/** Changes to operational endpoints, made by the operator. */
export function operatorAccountChange(env: Env): ChangeContext {
	return { ...operatorScope(env), actor: OPERATOR };
}

export function operationalEndpointView(row: EndpointRow, withSecret = false): OperationalEndpointView {
	const view: OperationalEndpointView = {
		id: row.id,
		url: row.url,
		events: JSON.parse(row.events),
		enabled: row.enabled,
		disabled_reason: row.disabledReason,
		health: endpointHealth(row),
		created_at: iso(row.createdAt),
		updated_at: iso(row.updatedAt),
	};
	if (withSecret) view.secret = row.secret;
	return view;
}
