/**
 * Expand, then contract (migrations/README.md): every migration only adds,
 * unless migrations/contract.json lists it with the release whose code no
 * longer needs what it removes. Each migration is read as wrangler applies it
 * (TEST_MIGRATIONS) with its drizzle-kit snapshot and the one before; the
 * rule's own cases are synthetic migrations.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import contractJson from "../../migrations/contract.json";
import { version } from "../../package.json";
import { contractions, type Migration, type Snapshot, type SnapshotTable } from "./migrationRule";
import { compareVersions } from "./releaseStatements";

const contract: Record<string, { release: string; why: string }> = contractJson;

// Every drizzle-kit snapshot, bundled into the test by Vite.
const SNAPSHOTS = import.meta.glob<Snapshot>("../../migrations/meta/*_snapshot.json", { import: "default", eager: true });

/** The shipped migrations in the order they apply, each with its snapshot and the previous one. */
function shippedMigrations(): Migration[] {
	let previous: Snapshot | null = null;
	return env.TEST_MIGRATIONS.map(({ name, queries }) => {
		const snapshot = SNAPSHOTS[`../../migrations/meta/${name.slice(0, 4)}_snapshot.json`];
		if (!snapshot) throw new Error(`migrations/${name} has no drizzle-kit snapshot: write migrations with npm run db:generate`);
		const migration = { name: name.replace(/\.sql$/, ""), statements: queries, snapshot, previous };
		previous = snapshot;
		return migration;
	});
}

const changesOf = (migration: Migration) => contractions(migration).map((found) => found.change);

describe("the expand-then-contract rule", () => {
	it("holds for every migration not listed in migrations/contract.json", () => {
		const broken = shippedMigrations()
			.filter((migration) => !(migration.name in contract))
			.flatMap(contractions)
			.map(({ migration, change, statement }) => `${migration} ${change}, in: ${statement}`);
		expect(broken, "A migration may only add (migrations/README.md): drop or tighten in a later release, listed in contract.json").toEqual(
			[],
		);
	});

	it("lists in contract.json only shipped migrations, each after the release whose code stopped needing what it removes", () => {
		const names = shippedMigrations().map((migration) => migration.name);
		for (const [name, entry] of Object.entries(contract)) {
			expect(names, "contract.json names a migration that does not exist").toContain(name);
			expect(compareVersions(entry.release, version), `${name}: release ${entry.release} is not before ${version}`).toBe(-1);
		}
	});

	it("refuses 0001_accounts_and_lanes without its contract.json entry (0000_init only creates)", () => {
		const [init, accounts] = shippedMigrations();
		expect(changesOf(init)).toEqual([]);
		expect(changesOf(accounts)).toEqual(
			expect.arrayContaining([
				"drops table endpoints",
				"drops table events",
				"adds NOT NULL column events.account_id without a default",
				"changes the primary key of events",
				"drops or renames column attempts.id",
				"drops or renames column endpoints.previous_secret",
				"adds a UNIQUE index endpoints_live_url to endpoints",
			]),
		);
	});
});

const column = (type: string, constraints: { primaryKey?: boolean; notNull?: boolean; default?: unknown } = {}) => ({
	type,
	primaryKey: false,
	notNull: false,
	...constraints,
});

/** The schema before each synthetic migration: one table, `items`. */
const BEFORE: Snapshot = {
	tables: {
		items: {
			columns: { id: column("text", { primaryKey: true, notNull: true }), name: column("text", { notNull: true }), note: column("text") },
			indexes: { items_name: { columns: ["name"], isUnique: false } },
			compositePrimaryKeys: {},
			uniqueConstraints: {},
			checkConstraints: {},
		},
	},
};

/** BEFORE, changed by `change` (a generated migration's snapshot). */
function changed(change: (tables: Record<string, SnapshotTable>, items: SnapshotTable) => void): Snapshot {
	const snapshot = structuredClone(BEFORE);
	change(snapshot.tables, snapshot.tables.items);
	return snapshot;
}

/** drizzle-kit's way of changing what SQLite cannot alter: copy into a new table, drop the old, rename. */
const rebuild = (columns: string) => [
	"PRAGMA foreign_keys=OFF;",
	`CREATE TABLE \`__new_items\` (${columns});`,
	'INSERT INTO `__new_items`("id", "name", "note") SELECT "id", "name", "note" FROM `items`;',
	"DROP TABLE `items`;",
	"ALTER TABLE `__new_items` RENAME TO `items`;",
	"PRAGMA foreign_keys=ON;",
];

const migration = (statements: string[], snapshot: Snapshot = BEFORE): Migration => ({
	name: "0099_example",
	statements,
	snapshot,
	previous: BEFORE,
});

describe("the rule catches, in a generated migration,", () => {
	it.each<[string, string[], Snapshot, string]>([
		["a dropped table", ["DROP TABLE `items`;"], changed((tables) => delete tables.items), "drops table items"],
		[
			"a renamed table",
			["ALTER TABLE `items` RENAME TO `things`;"],
			changed((tables, items) => {
				tables.things = items;
				delete tables.items;
			}),
			"renames table items",
		],
		[
			"a dropped column",
			["ALTER TABLE `items` DROP COLUMN `note`;"],
			changed((_, items) => delete items.columns.note),
			"drops column items.note",
		],
		[
			"a renamed column",
			["ALTER TABLE `items` RENAME COLUMN `note` TO `remark`;"],
			changed((_, items) => {
				items.columns.remark = items.columns.note;
				delete items.columns.note;
			}),
			"renames column items.note",
		],
		[
			"a rebuilt table",
			rebuild("`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `note` text NOT NULL"),
			changed((_, items) => {
				items.columns.note.notNull = true;
			}),
			"rebuilds table items (copy, drop, rename)",
		],
		[
			"a column made NOT NULL",
			rebuild("`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `note` text NOT NULL"),
			changed((_, items) => {
				items.columns.note.notNull = true;
			}),
			"makes items.note NOT NULL",
		],
		[
			"a column's type changed",
			rebuild("`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `note` integer"),
			changed((_, items) => {
				items.columns.note.type = "integer";
			}),
			"changes the type of items.note (text → integer)",
		],
		[
			"a primary key changed",
			rebuild("`id` text NOT NULL, `name` text NOT NULL, `note` text, PRIMARY KEY(`name`, `id`)"),
			changed((_, items) => {
				items.columns.id.primaryKey = false;
				items.compositePrimaryKeys.items_name_id_pk = { columns: ["name", "id"] };
			}),
			"changes the primary key of items",
		],
		[
			"a NOT NULL column without a default",
			["ALTER TABLE `items` ADD `owner` text NOT NULL;"],
			changed((_, items) => {
				items.columns.owner = column("text", { notNull: true });
			}),
			"adds NOT NULL column items.owner without a default",
		],
		[
			"a UNIQUE index on an existing table",
			["CREATE UNIQUE INDEX `items_note_unique` ON `items` (`note`);"],
			changed((_, items) => {
				items.indexes.items_note_unique = { columns: ["note"], isUnique: true };
			}),
			"adds a UNIQUE index items_note_unique to items",
		],
		[
			"an index made UNIQUE",
			["DROP INDEX `items_name`;", "CREATE UNIQUE INDEX `items_name` ON `items` (`name`);"],
			changed((_, items) => {
				items.indexes.items_name.isUnique = true;
			}),
			"adds a UNIQUE index items_name to items",
		],
		[
			"a UNIQUE constraint",
			rebuild("`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `note` text, CONSTRAINT `items_note` UNIQUE(`note`)"),
			changed((_, items) => {
				items.uniqueConstraints.items_note = { columns: ["note"] };
			}),
			"adds a UNIQUE constraint items_note to items",
		],
		[
			"a CHECK constraint",
			rebuild("`id` text PRIMARY KEY NOT NULL, `name` text NOT NULL, `note` text, CONSTRAINT `note_short` CHECK(length(`note`) < 100)"),
			changed((_, items) => {
				items.checkConstraints.note_short = { value: 'length("items"."note") < 100' };
			}),
			"adds a CHECK constraint note_short to items",
		],
	])("%s", (_, statements, snapshot, change) => {
		const found = contractions(migration(statements, snapshot));
		expect(found.map((entry) => entry.change)).toContain(change);
		for (const entry of found) expect(entry).toMatchObject({ migration: "0099_example", statement: expect.stringMatching(/items/) });
	});
});

describe("the rule catches, in a hand-written migration (its snapshot unchanged),", () => {
	it.each([
		["DROP TABLE IF EXISTS items;", "drops table items"],
		["ALTER TABLE items DROP note;", "drops column items.note"],
		['ALTER TABLE "items" RENAME "note" TO "remark";', "renames column items.note"],
		["ALTER TABLE items RENAME TO things;", "renames table items"],
		["CREATE TABLE __new_items (id text PRIMARY KEY NOT NULL);", "rebuilds table items (copy, drop, rename)"],
		["ALTER TABLE items ADD COLUMN owner text NOT NULL;", "adds NOT NULL column items.owner without a default"],
		["ALTER TABLE items ADD COLUMN code text UNIQUE;", "adds a UNIQUE constraint to items"],
		["ALTER TABLE items ADD COLUMN size integer DEFAULT 0 CHECK (size >= 0);", "adds a CHECK constraint to items"],
		["CREATE UNIQUE INDEX IF NOT EXISTS items_note ON items (note);", "adds a UNIQUE index items_note to items"],
	])("%s", (statement, change) => {
		expect(contractions(migration([statement]))).toEqual([{ migration: "0099_example", change, statement }]);
	});

	it("with quotes inside its comments", () => {
		const statement = "-- it's unused since 0.2.0\nALTER TABLE items DROP COLUMN note; -- that's all";
		expect(contractions(migration([statement])).map((found) => found.change)).toEqual(["drops column items.note"]);
	});
});

describe("the rule lets through", () => {
	it.each<[string, string[], Snapshot]>([
		[
			"a new table with its own unique index",
			[
				"CREATE TABLE `replays` (`key` text NOT NULL, `seen_at` integer NOT NULL);",
				"CREATE UNIQUE INDEX `replays_key` ON `replays` (`key`);",
			],
			changed((tables) => {
				tables.replays = {
					columns: { key: column("text", { notNull: true }), seen_at: column("integer", { notNull: true }) },
					indexes: { replays_key: { columns: ["key"], isUnique: true } },
					compositePrimaryKeys: {},
					uniqueConstraints: {},
					checkConstraints: {},
				};
			}),
		],
		[
			"a nullable column",
			["ALTER TABLE `items` ADD `remark` text;"],
			changed((_, items) => {
				items.columns.remark = column("text");
			}),
		],
		[
			"a NOT NULL column with a default",
			["ALTER TABLE `items` ADD `priority` integer DEFAULT 0 NOT NULL;"],
			changed((_, items) => {
				items.columns.priority = column("integer", { notNull: true, default: 0 });
			}),
		],
		[
			"a plain index",
			["CREATE INDEX `items_note` ON `items` (`note`);"],
			changed((_, items) => {
				items.indexes.items_note = { columns: ["note"], isUnique: false };
			}),
		],
		["a dropped index", ["DROP INDEX `items_name`;"], changed((_, items) => delete items.indexes.items_name)],
		[
			"a bounded backfill",
			["UPDATE `items` SET `note` = '' WHERE `id` IN (SELECT `id` FROM `items` WHERE `note` IS NULL LIMIT 1000);"],
			BEFORE,
		],
		[
			"forbidden words inside comments and strings",
			[
				"-- DROP TABLE items: that's for a later release\nUPDATE items SET note = 'DROP TABLE items; -- ALTER TABLE items DROP note' WHERE id = 'x';",
			],
			BEFORE,
		],
		["a scratch table dropped in the same migration", ["CREATE TABLE scratch (id text);", "DROP TABLE scratch;"], BEFORE],
	])("%s", (_, statements, snapshot) => {
		expect(contractions(migration(statements, snapshot))).toEqual([]);
	});
});
