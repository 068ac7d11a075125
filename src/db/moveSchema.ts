/**
 * The tables of moving an account to another database (accounts/accountMove.ts), beside schema.ts and generated with
 * it. `account_moves` lives in the directory (DB): the move's progress, which the API shows. `account_markers` and
 * `move_changes` live in every database: the marker is what each statement writing an account's data meets there (the
 * triggers of migration 0011 read it), and the change log is what those triggers write while the account is copied.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What an operator sees of a move while it runs: copying its rows, switching the directory, cleaning the old copy. */
export const MOVE_STATES = ["copying", "switching", "cleaning"] as const;
export type MoveState = (typeof MOVE_STATES)[number];

/** A move under way, one row per account (in DB). Deleted when the move ends. */
export const accountMoves = sqliteTable("account_moves", {
	accountId: text("account_id").primaryKey(),
	/** The binding the account moves to. */
	target: text("target").notNull(),
	state: text("state", { enum: MOVE_STATES }).notNull(),
	copiedRows: integer("copied_rows").notNull().default(0),
	startedAt: integer("started_at").notNull(),
});

/**
 * What a database knows of an account that moves (db/moveMarkers.ts). In the source: `copying` (its writes are
 * logged in move_changes), `draining` (logged, and no new claims), `frozen` (every write refused: `account_moving`),
 * then `moved` for good (every write refused: `account_moved`, and the writer reads the directory again). In the
 * target, until the switch: `incoming` (the sweep and claims leave the copy alone).
 */
export const MARKER_STATES = ["incoming", "copying", "draining", "frozen", "moved"] as const;
export type MarkerState = (typeof MARKER_STATES)[number];

export const accountMarkers = sqliteTable("account_markers", {
	accountId: text("account_id").primaryKey(),
	state: text("state", { enum: MARKER_STATES }).notNull(),
	at: integer("at").notNull(),
});

/** The account's rows written or deleted in the source since the copy began: each is copied again (or removed) from there. */
export const moveChanges = sqliteTable(
	"move_changes",
	{
		/** The rowid: changes are taken in the order they were logged, and those logged after a read stay for the next. */
		seq: integer("seq").primaryKey(),
		accountId: text("account_id").notNull(),
		tableName: text("table_name").notNull(),
		/** The row's primary key but for the account, as a JSON array (accountMove.ts's MOVED_TABLES say which columns). */
		rowKey: text("row_key").notNull(),
	},
	(table) => [index("move_changes_account").on(table.accountId, table.seq)],
);
