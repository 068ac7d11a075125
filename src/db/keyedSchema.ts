/**
 * Deliveries keyed compactly (docs/scaling.md, "What the storage targets still need"), beside schema.ts and generated with
 * it. The endpoint of a `deliveries_v2` row is a small integer, given once per database by `endpoint_keys`; its
 * account, its id and its event's are the bytes their text ids spell in hex. Since 0.6.0 the code reads and writes only
 * this table; before, migration 0012's triggers kept it a copy of `deliveries`, and the cron of 0.5.0 and 0.6.0
 * copied the rows from before those.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bytes, deliveryProgress, hexId, STATUS_CODES, statusCode } from "./columns";

/**
 * An endpoint's key in this database: given when the endpoint is written here (migration 0013; the endpoints from
 * before got theirs there), or with a delivery to an endpoint this database does not hold (0012); forgotten with the
 * account's data here.
 */
export const endpointKeys = sqliteTable(
	"endpoint_keys",
	{
		endpointId: text("endpoint_id").primaryKey(),
		accountId: text("account_id").notNull(),
		key: integer("key").notNull(),
	},
	(table) => [uniqueIndex("endpoint_keys_key").on(table.key), index("endpoint_keys_account").on(table.accountId, table.key)],
);

/**
 * One event on its way to one endpoint, in about a quarter of the bytes the old `deliveries` took: a `WITHOUT ROWID`
 * table (migration 0012 says so) keyed by account, endpoint and id, so an endpoint's deliveries are a range of the
 * primary key and no second index repeats the ids. `account_id` is the 14 bytes of `acc_<28 hex>` (an id of another
 * form, as `acc_default`, is kept as text); `id` those of `dlv_<12 hex of ms><16 hex random>`, which say when the
 * delivery was made. `event` is the event id's 8 random bytes (a delivery is made in its event's millisecond), or all
 * 14 when it was not.
 */
export const deliveriesV2 = sqliteTable(
	"deliveries_v2",
	{
		accountId: hexId("acc", 14)("account_id").notNull(),
		endpointKey: integer("endpoint_key").notNull(),
		id: hexId("dlv")("id").notNull(),
		event: bytes("event").notNull(),
		status: statusCode("status").notNull(),
		claimId: hexId("clm")("claim_id"),
		...deliveryProgress(),
	},
	(table) => [
		primaryKey({ columns: [table.accountId, table.endpointKey, table.id] }),
		index("deliveries_v2_unfinished")
			.on(table.endpointKey, table.nextAttemptAt)
			.where(sql`${table.status} IN (${sql.raw(`${STATUS_CODES.pending}, ${STATUS_CODES.retrying}`)})`),
	],
);
