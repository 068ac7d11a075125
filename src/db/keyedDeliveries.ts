/**
 * How statements reach deliveries in `deliveries_v2` (keyedSchema.ts), where the primary key is (account, endpoint
 * key, id): an account's deliveries are one range per endpoint key, so every condition here names the keys, and
 * SQLite seeks each range instead of walking the account's history. What the table keeps as bytes or keys is given
 * back as the text ids the code and the API use: the endpoint's id, the event's, the delivery's own (for joins with
 * tables that keep ids as text) and when it was made.
 *
 * Until 0.6.0 the code writes `deliveries` and migration 0012's triggers keep this table its copy; the reads come
 * from here (CHANGELOG, Unreleased).
 */
import { and, eq, gte, inArray, lt, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { STATUS_CODES } from "./columns";
import { deliveriesV2, endpointKeys } from "./keyedSchema";

/** The keys of the endpoints `where` picks, as a subquery. */
const keysWhere = (where: SQL): SQL => sql`(SELECT ${endpointKeys.key} FROM ${endpointKeys} WHERE ${where})`;

/** `column` is one of `values`: one parameter however many (D1 binds at most 100 a statement). */
const oneOf = (column: SQLWrapper, values: readonly string[]): SQL =>
	sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

/**
 * An account id as deliveries_v2 stores it (SQL over the text id in `column`): the bytes of `acc_<28 hex>`, an id of
 * another form as it is. Migration 0012's triggers spell the same.
 */
export const accountAsStored = (column: string): string =>
	`CASE WHEN ${column} GLOB 'acc_*' AND length(unhex(substr(${column}, 5))) = 14 THEN unhex(substr(${column}, 5)) ELSE ${column} END`;

/**
 * The deliveries of the accounts named: each account's endpoints' ranges of the primary key, each account paired
 * with its own keys only (narrowed further by an id range, if any).
 */
export function ofAccounts(accountIds: readonly string[]): SQL {
	const stored = sql.raw(accountAsStored(`"endpoint_keys"."${endpointKeys.accountId.name}"`));
	const pairs = sql`(SELECT ${stored}, ${endpointKeys.key} FROM ${endpointKeys} WHERE ${oneOf(endpointKeys.accountId, accountIds)})`;
	return sql`(${deliveriesV2.accountId}, ${deliveriesV2.endpointKey}) IN ${pairs}`;
}

/** The keys of the account's endpoints, as a subquery. */
export const keysOfAccount = (accountId: string): SQL => keysWhere(oneOf(endpointKeys.accountId, [accountId]));

/** The account's deliveries, endpoint by endpoint. */
export function ofAccount(accountId: string): SQL {
	return and(eq(deliveriesV2.accountId, accountId), inArray(deliveriesV2.endpointKey, keysOfAccount(accountId))) as SQL;
}

/** The keys of the endpoints named (of any account), as a subquery. */
export const keysOfEndpoints = (endpointIds: readonly string[]): SQL => keysWhere(oneOf(endpointKeys.endpointId, endpointIds));

/**
 * The account's deliveries to one endpoint: one range of the primary key. Its key is one value (`=`, not `IN`), so
 * SQLite reads the range in id order and stops at a page's limit rather than sorting the endpoint's history.
 */
export function toEndpoint(accountId: string, endpointId: string): SQL {
	const key = sql`(SELECT ${endpointKeys.key} FROM ${endpointKeys} WHERE ${endpointKeys.endpointId} = ${endpointId})`;
	return and(eq(deliveriesV2.accountId, accountId), eq(deliveriesV2.endpointKey, key)) as SQL;
}

/** The account's deliveries made from `from` (ms) until before `until`: by their ids, endpoint by endpoint. */
export function madeBetween(accountId: string, from: number | SQLWrapper, until?: number | SQLWrapper): SQL {
	const found = [ofAccount(accountId), gte(deliveriesV2.id, idFloorOf(from))];
	if (until !== undefined) found.push(lt(deliveriesV2.id, idFloorOf(until)));
	return and(...found) as SQL;
}

/** The first 6 bytes of the ids made in millisecond `at` (a number, or SQL such as an event's column). */
function idFloorOf(at: number | SQLWrapper): SQL {
	return sql`unhex(printf('%012x', ${at}))`;
}

/** The endpoint id of the row read, by its key. */
export const endpointIdOf = (): SQL<string> =>
	sql<string>`(SELECT ${endpointKeys.endpointId} FROM ${endpointKeys} WHERE ${endpointKeys.key} = ${deliveriesV2.endpointKey})`;

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
