/**
 * What the System page shows of "is Hivepost keeping up?": deliveries
 * waiting, by lane and state, and those stranded (summed over every
 * database, through the index of unfinished deliveries; a moving account
 * counted once, where it lives); the last runs of the cron's jobs (the
 * sweep, retention, the copy into deliveries_v2); and each operational
 * endpoint with its recent messages.
 */
import { and, count, desc, eq, sql } from "drizzle-orm";
import { readSettings } from "../config";
import { everyDatabase } from "../db/client";
import { type CronRun, lastCronRuns } from "../db/cronRuns";
import { accountIdText, eventIdOf, toEndpoint } from "../db/keyedDeliveries";
import { deliveriesV2, endpointKeys } from "../db/keyedSchema";
import { liveHere } from "../db/moveMarkers";
import { operatorScope } from "../db/operatorAccount";
import { endpoints, events } from "../db/schema";
import { everyEndpoint, shownStatus, stranded, unfinishedTo } from "../delivery/stateChanges";
import { type EndpointRow, listEndpoints } from "../endpoints/endpointStore";

/** Recent messages shown per operational endpoint. */
const RECENT_MESSAGES = 10;

export interface Waiting {
	lane: "main" | "isolation";
	status: "pending" | "retrying";
	deliveries: number;
}

export interface OperationalEndpointMessages {
	endpoint: EndpointRow;
	messages: { deliveryId: string; type: string; at: number; status: string; attempts: number }[];
}

export interface SystemReport {
	waiting: Waiting[];
	stranded: number;
	runs: CronRun[];
	operational: OperationalEndpointMessages[];
}

export async function systemReport(env: Env, now = Date.now()): Promise<SystemReport> {
	const settings = readSettings(env);
	// The lane a waiting delivery takes: a retry, or an endpoint isolated now, goes through the isolation lane (delivery/isolation.ts).
	const lane = sql<
		Waiting["lane"]
	>`CASE WHEN ${deliveriesV2.attemptCount} > 0 OR ${endpoints.isolatedUntil} > ${now} THEN 'isolation' ELSE 'main' END`;
	const perDatabase = await Promise.all(
		everyDatabase(env).map((db) =>
			db.batch([
				db
					.select({ lane, status: deliveriesV2.status, deliveries: count() })
					.from(deliveriesV2)
					.innerJoin(endpointKeys, eq(endpointKeys.key, deliveriesV2.endpointKey))
					.innerJoin(endpoints, eq(endpoints.id, endpointKeys.endpointId))
					.where(and(unfinishedTo(everyEndpoint(), now), liveHere(accountIdText())))
					.groupBy(lane, deliveriesV2.status),
				db.select({ stranded: count() }).from(deliveriesV2).where(stranded(settings, now)),
			]),
		),
	);
	const waiting = new Map<string, Waiting>();
	for (const [groups] of perDatabase) {
		for (const group of groups) {
			const status = shownStatus(group.status) as Waiting["status"];
			const key = `${group.lane} ${status}`;
			const sum = waiting.get(key) ?? { lane: group.lane, status, deliveries: 0 };
			waiting.set(key, { ...sum, deliveries: sum.deliveries + group.deliveries });
		}
	}
	const [runs, operational] = await Promise.all([lastCronRuns(env), operationalMessages(env)]);
	return {
		waiting: [...waiting.values()].sort((a, b) => a.lane.localeCompare(b.lane) || a.status.localeCompare(b.status)),
		stranded: perDatabase.reduce((sum, [, [row]]) => sum + (row?.stranded ?? 0), 0),
		runs,
		operational,
	};
}

/** Each operational endpoint with its newest messages (through the index of an endpoint's deliveries). */
async function operationalMessages(env: Env): Promise<OperationalEndpointMessages[]> {
	const scope = operatorScope(env);
	const list = await listEndpoints(scope);
	return Promise.all(
		list.map(async (endpoint) => ({
			endpoint,
			messages: await scope.db
				.select({
					deliveryId: deliveriesV2.id,
					type: events.actionType,
					at: events.receivedAt,
					status: deliveriesV2.status,
					attempts: deliveriesV2.attemptCount,
				})
				.from(deliveriesV2)
				.innerJoin(events, and(eq(events.accountId, scope.accountId), eq(events.id, eventIdOf())))
				.where(toEndpoint(scope.accountId, endpoint.id))
				.orderBy(desc(deliveriesV2.id))
				.limit(RECENT_MESSAGES)
				.then((rows) => rows.map((row) => ({ ...row, status: shownStatus(row.status) }))),
		})),
	);
}
