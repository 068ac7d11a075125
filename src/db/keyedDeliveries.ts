/**
 * How statements reach deliveries in `deliveries_v2` (keyedSchema.ts), where the primary key is (account, endpoint
 * key, id): an account's deliveries are one range per endpoint key, so every condition here names the keys, and
 * SQLite seeks each range instead of walking the account's history. What the table keeps as bytes or keys is given
 * back as the text ids the code and the API use: the endpoint's id, the event's, the delivery's own (for joins with
 * tables that keep ids as text) and when it was made.
 *
 * Every delivery is here: releases before 0.6.0 kept them in `deliveries` (0012's triggers copied each write here,
 * and the cron the rows from before), which 0.8.0 dropped (migration 0017).
 */
import { and, eq, gte, inArray, lt, notExists, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type Database, inList } from "./client";
import { STATUS_CODES } from "./columns";
import { deliveriesV2, endpointKeys } from "./keyedSchema";

/** The keys of the endpoints `where` (a condition on endpoint_keys) picks, as a subquery. */
export const keysWhere = (where: SQL): SQL => sql`(SELECT ${endpointKeys.key} FROM ${endpointKeys} WHERE ${where})`;

/**
 * An account id (SQL over a text id: a column, a JSON field) as deliveries_v2 stores it: the bytes of `acc_<28 hex>`,
 * an id of another form as it is. Migration 0012's triggers spell the same.
 */
export const storedAccount = (accountId: SQLWrapper): SQL =>
	sql`CASE WHEN ${accountId} GLOB 'acc_*' AND length(unhex(substr(${accountId}, 5))) = 14 THEN unhex(substr(${accountId}, 5)) ELSE ${accountId} END`;

/**
 * The deliveries of the accounts named: each account's endpoints' ranges of the primary key, each account paired
 * with its own keys only (narrowed further by an id range, if any).
 */
export function ofAccounts(accountIds: readonly string[]): SQL {
	return toEndpointsWhere(inList(endpointKeys.accountId, accountIds));
}

/**
 * The deliveries to the endpoints `where` (a condition on endpoint_keys) picks, of any account: each endpoint's
 * range of the primary key, paired with its own account.
 */
export function toEndpointsWhere(where: SQL): SQL {
	const pairs = sql`(SELECT ${storedAccount(endpointKeys.accountId)}, ${endpointKeys.key} FROM ${endpointKeys} WHERE ${where})`;
	return sql`(${deliveriesV2.accountId}, ${deliveriesV2.endpointKey}) IN ${pairs}`;
}

/** A delivery as every message, alarm and statement names it: its account, its endpoint and its id. */
export interface KeyedDelivery {
	accountId: string;
	endpointId: string;
	deliveryId: string;
}

/**
 * `alias` (deliveries_v2 in a subquery) is the delivery whose account, endpoint and id the SQL expressions given spell
 * as text (such as JSON fields of the row being read).
 */
export const rowNamed = (alias: string, accountId: string, endpointId: string, deliveryId: string): SQL =>
	sql`${sql.raw(alias)}.account_id = ${storedAccount(sql.raw(accountId))} AND ${sql.raw(alias)}.endpoint_key = (SELECT key FROM endpoint_keys WHERE endpoint_id = ${sql.raw(endpointId)})
		AND ${sql.raw(alias)}.id = unhex(substr(${sql.raw(deliveryId)}, 5))`;

/** The deliveries named, each one seek of the primary key (one JSON parameter, however many). */
export function theseDeliveries(named: readonly KeyedDelivery[]): SQL {
	const triples = JSON.stringify(named.map((one) => [one.accountId, one.endpointId, one.deliveryId]));
	const key = sql`(SELECT ${endpointKeys.key} FROM ${endpointKeys} WHERE ${endpointKeys.endpointId} = value ->> '$[1]')`;
	return sql`(${deliveriesV2.accountId}, ${deliveriesV2.endpointKey}, ${deliveriesV2.id}) IN (SELECT ${storedAccount(
		sql.raw("value ->> '$[0]'"),
	)}, ${key}, unhex(substr(value ->> '$[2]', 5)) FROM json_each(${triples}))`;
}

/** The keys of the account's endpoints, as a subquery. */
const keysOfAccount = (accountId: string): SQL => keysWhere(inList(endpointKeys.accountId, [accountId]));

/** The account's deliveries, endpoint by endpoint: of `accountId`, or of the account whose id a column of the row read holds. */
export function ofAccount(accountId: string | SQLiteColumn): SQL {
	if (typeof accountId === "string") {
		return and(eq(deliveriesV2.accountId, accountId), inArray(deliveriesV2.endpointKey, keysOfAccount(accountId))) as SQL;
	}
	return and(
		eq(deliveriesV2.accountId, storedAccount(accountId)),
		inArray(deliveriesV2.endpointKey, keysWhere(eq(endpointKeys.accountId, accountId))),
	) as SQL;
}

/** The account's delivery `deliveryId`, when its endpoint is not known: one seek per endpoint key of the account. */
export function deliveryOfAccount(accountId: string, deliveryId: string): SQL {
	return and(ofAccount(accountId), eq(deliveriesV2.id, deliveryId)) as SQL;
}

/**
 * The account's deliveries to one endpoint: one range of the primary key. Its key is one value (`=`, not `IN`), so
 * SQLite reads the range in id order and stops at a page's limit rather than sorting the endpoint's history.
 */
export function toEndpoint(accountId: string, endpointId: string): SQL {
	return and(eq(deliveriesV2.accountId, accountId), eq(deliveriesV2.endpointKey, keyOfEndpoint(endpointId))) as SQL;
}

/** The key of endpoint `endpointId` (text, or SQL such as a column), as a subquery. */
export const keyOfEndpoint = (endpointId: string | SQLWrapper): SQL<number> =>
	sql<number>`(SELECT ${endpointKeys.key} FROM ${endpointKeys} WHERE ${endpointKeys.endpointId} = ${endpointId})`;

/** The account's deliveries made from `from` (ms) until before `until`: by their ids, endpoint by endpoint. */
export function madeBetween(accountId: string, from: number | SQLWrapper, until?: number | SQLWrapper): SQL {
	const found = [ofAccount(accountId), gte(deliveriesV2.id, idFloorOf(from))];
	if (until !== undefined) found.push(lt(deliveriesV2.id, idFloorOf(until)));
	return and(...found) as SQL;
}

/** The first 6 bytes of the ids made in millisecond `at` (a number, or SQL such as an event's column). */
export function idFloorOf(at: number | SQLWrapper): SQL {
	return sql`unhex(printf('%012x', ${at}))`;
}

/** The endpoint id of the row read, by its key. */
export const endpointIdOf = (): SQL<string> =>
	sql<string>`(SELECT ${endpointKeys.endpointId} FROM ${endpointKeys} WHERE ${endpointKeys.key} = ${deliveriesV2.endpointKey})`;

/** The row's account id as text: `acc_` and the hex of its bytes, or the id of another form kept as it was. */
export const accountIdText = (): SQL<string> =>
	sql<string>`CASE WHEN typeof(${deliveriesV2.accountId}) = 'blob' THEN 'acc_' || lower(hex(${deliveriesV2.accountId})) ELSE ${deliveriesV2.accountId} END`;

/** A new delivery id made in millisecond `madeAt`, as stored: its 6 bytes and 8 random ones (one hex string unhexed: `||` of blobs gives text). */
export const newDeliveryId = (madeAt: number | SQLWrapper): SQL => sql`unhex(printf('%012x', ${madeAt}) || hex(randomblob(8)))`;

/**
 * Event `eventId` (text, or SQL) as a delivery made in millisecond `madeAt` stores it: the 8 random bytes when its id
 * starts with that millisecond, else all 14.
 */
export const storedEvent = (eventId: string | SQLWrapper, madeAt: number | SQLWrapper): SQL =>
	sql`CASE WHEN substr(${eventId}, 5, 12) = printf('%012x', ${madeAt}) THEN unhex(substr(${eventId}, 17)) ELSE unhex(substr(${eventId}, 5)) END`;

/** The row's delivery id as text (`dlv_…`), for joins with the tables that keep it so (attempts). */
export const deliveryIdText = (): SQL<string> => sql<string>`'dlv_' || lower(hex(${deliveriesV2.id}))`;

/** The row's event id as text: its 8 random bytes follow the delivery's millisecond, or it is stored whole. */
export const eventIdOf = (): SQL<string> =>
	sql<string>`'evt_' || lower(hex(CASE WHEN length(${deliveriesV2.event}) = 8 THEN substr(${deliveriesV2.id}, 1, 6) || ${deliveriesV2.event} ELSE ${deliveriesV2.event} END))`;

/** The deliveries of event `eventId` (text) made in its millisecond `receivedAt`, among the rows `ofAccount` found. */
export function ofEvent(eventId: string | SQLWrapper, receivedAt: number | SQLWrapper): SQL {
	return and(
		gte(deliveriesV2.id, idFloorOf(receivedAt)),
		lt(deliveriesV2.id, idFloorOf(typeof receivedAt === "number" ? receivedAt + 1 : sql`${receivedAt} + 1`)),
		sql`${eventIdOf()} = ${eventId}`,
	) as SQL;
}

/** When a delivery was made: the millisecond its id starts with. */
export function madeAt(deliveryId: string): number {
	return Number.parseInt(deliveryId.slice(4, 16), 16);
}

/** Statuses as literals (a partial index is used only for constants), for `status IN (…)`. */
export function statusesIn(statuses: readonly (keyof typeof STATUS_CODES)[]): SQL {
	return sql`${deliveriesV2.status} IN ${sql.raw(`(${statuses.map((status) => STATUS_CODES[status]).join(", ")})`)}`;
}

/**
 * Forgets the keys of an account's endpoints in `db` once none of its deliveries is left there: after its purge, or
 * after a move has cleaned the old database. For a batch.
 */
export function forgetEndpointKeys(db: Database, accountId: string) {
	return db
		.delete(endpointKeys)
		.where(
			and(
				eq(endpointKeys.accountId, accountId),
				notExists(db.select({ one: sql`1` }).from(deliveriesV2).where(eq(deliveriesV2.accountId, accountId))),
			),
		)
		.returning({ endpointId: endpointKeys.endpointId });
}
