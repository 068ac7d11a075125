/**
 * The expand-then-contract rule, as a check (migrations/README.md): a
 * migration may only add, so that the release still running while it is
 * applied keeps working. `contractions` lists what a migration takes away or
 * tightens, from its SQL statements (whoever wrote them) and from its
 * drizzle-kit snapshot compared with the previous one.
 */

/** The parts of a drizzle-kit (sqlite, version 6) snapshot the rule reads. */
export interface Snapshot {
	tables: Record<string, SnapshotTable>;
}

export interface SnapshotTable {
	columns: Record<string, { type: string; primaryKey: boolean; notNull: boolean; default?: unknown }>;
	indexes: Record<string, { columns: string[]; isUnique: boolean; where?: string }>;
	compositePrimaryKeys: Record<string, { columns: string[] }>;
	uniqueConstraints: Record<string, { columns: string[] }>;
	checkConstraints: Record<string, { value: string }>;
}

export interface Migration {
	name: string;
	/** Its SQL, one statement each, as wrangler applies them. */
	statements: string[];
	/** Its snapshot, and the previous migration's (none before the first). */
	snapshot: Snapshot;
	previous: Snapshot | null;
}

export interface Contraction {
	migration: string;
	/** What it takes away or tightens, e.g. "drops column endpoints.secret". */
	change: string;
	/** The statement that does it (for a change seen in the snapshot: the first statement naming its table). */
	statement: string;
}

/** A statement without comments, string contents or identifier quotes, on one line: what the patterns read. */
function normalize(statement: string): string {
	// Strings and comments in one pass, left to right: a quote inside a comment, or a dash inside a string, is only text.
	return statement
		.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (token) => (token.startsWith("'") ? "''" : " "))
		.replace(/[`"[\]]/g, "")
		.replace(/\s+/g, " ")
		.trim();
}

/** A statement as shown in a finding: without its comment lines. */
const shown = (statement: string) => statement.replace(/^\s*--[^\n]*\n?/gm, "").trim();

/** A statement's start, with `{}` for each name it captures. */
const pattern = (source: string) => new RegExp(`^${source.replaceAll("{}", "([\\w$]+)")}`, "i");

/** The statements the rule reads, by kind; the first that matches names it (a table rename before a column rename). */
const STATEMENTS = {
	createTable: pattern("CREATE (?:TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?{}"),
	dropTable: pattern("DROP TABLE (?:IF EXISTS )?{}"),
	renameTable: pattern("ALTER TABLE {} RENAME TO {}"),
	renameColumn: pattern("ALTER TABLE {} RENAME (?:COLUMN )?{} TO {}"),
	dropColumn: pattern("ALTER TABLE {} DROP (?:COLUMN )?{}"),
	addColumn: pattern("ALTER TABLE {} ADD (?:COLUMN )?{}(.*)$"),
	uniqueIndex: pattern("CREATE UNIQUE INDEX (?:IF NOT EXISTS )?{} ON {}"),
};

/** The statement's kind and the names (and column definition) it captured, or null for a statement that only adds. */
function kindOf(sql: string): [keyof typeof STATEMENTS, string[]] | null {
	for (const [kind, regexp] of Object.entries(STATEMENTS) as [keyof typeof STATEMENTS, RegExp][]) {
		const match = sql.match(regexp);
		if (match) return [kind, match.slice(1)];
	}
	return null;
}

/** What an added column's definition tightens. */
function columnContractions(table: string, column: string, definition: string): string[] {
	return [
		/\bNOT NULL\b/i.test(definition) && !/\bDEFAULT\b/i.test(definition) && `adds NOT NULL column ${table}.${column} without a default`,
		/\bUNIQUE\b/i.test(definition) && `adds a UNIQUE constraint to ${table}`,
		/\bCHECK\b/i.test(definition) && `adds a CHECK constraint to ${table}`,
		/\bPRIMARY KEY\b/i.test(definition) && `changes the primary key of ${table}`,
	].filter((change) => change !== false);
}

/** What the statements take away or tighten. A table created earlier in the same migration is new: nothing runs against it yet. */
function sqlContractions(statements: readonly string[]): Omit<Contraction, "migration">[] {
	const created = new Set<string>();
	const existing = (table: string) => !created.has(table.toLowerCase());
	return statements.flatMap((statement) => {
		const found = kindOf(normalize(statement));
		if (!found) return [];
		// Names in the order the statement has them: the table first, except for an index.
		const [kind, [table, second, third]] = found;
		const changes: string[] = [];
		switch (kind) {
			case "createTable":
				created.add(table.toLowerCase());
				if (table.startsWith("__new_")) changes.push(`rebuilds table ${table.slice("__new_".length)} (copy, drop, rename)`);
				break;
			case "renameTable":
				if (existing(table)) changes.push(`renames table ${table}`);
				else created.add(second.toLowerCase());
				break;
			case "dropTable":
				if (existing(table)) changes.push(`drops table ${table}`);
				break;
			case "renameColumn":
				if (existing(table)) changes.push(`renames column ${table}.${second}`);
				break;
			case "dropColumn":
				if (existing(table)) changes.push(`drops column ${table}.${second}`);
				break;
			case "addColumn":
				if (existing(table)) changes.push(...columnContractions(table, second, third));
				break;
			case "uniqueIndex": {
				const [index, indexed] = [table, second];
				if (existing(indexed)) changes.push(`adds a UNIQUE index ${index} to ${indexed}`);
				break;
			}
		}
		return changes.map((change) => ({ change, statement: shown(statement) }));
	});
}

/** Equal as JSON, whatever the order of their keys (drizzle-kit writes a custom migration's snapshot in another order). */
const same = (a: unknown, b: unknown) => JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));

function sortedKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortedKeys);
	if (typeof value !== "object" || value === null) return value;
	return Object.fromEntries(
		Object.keys(value)
			.sort()
			.map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
	);
}
const primaryKey = (table: SnapshotTable) => [
	Object.keys(table.columns).filter((column) => table.columns[column].primaryKey),
	Object.values(table.compositePrimaryKeys).map((key) => key.columns),
];

/** What the snapshot takes away or tightens in the tables that existed before. */
function snapshotContractions(previous: Snapshot, next: Snapshot): { table: string; change: string }[] {
	const found: { table: string; change: string }[] = [];
	for (const [table, before] of Object.entries(previous.tables)) {
		const flag = (change: string) => found.push({ table, change });
		const after = next.tables[table];
		if (!after) {
			flag(`drops or renames table ${table}`);
			continue;
		}
		for (const [column, was] of Object.entries(before.columns)) {
			const now = after.columns[column];
			if (!now) flag(`drops or renames column ${table}.${column}`);
			else if (now.type !== was.type) flag(`changes the type of ${table}.${column} (${was.type} → ${now.type})`);
			else if (now.notNull && !was.notNull) flag(`makes ${table}.${column} NOT NULL`);
		}
		for (const [column, added] of Object.entries(after.columns)) {
			if (!before.columns[column] && added.notNull && added.default === undefined)
				flag(`adds NOT NULL column ${table}.${column} without a default`);
		}
		if (!same(primaryKey(before), primaryKey(after))) flag(`changes the primary key of ${table}`);
		for (const [index, definition] of Object.entries(after.indexes)) {
			if (definition.isUnique && !same(before.indexes[index], definition)) flag(`adds a UNIQUE index ${index} to ${table}`);
		}
		for (const [constraint, definition] of Object.entries(after.uniqueConstraints)) {
			if (!same(before.uniqueConstraints[constraint], definition)) flag(`adds a UNIQUE constraint ${constraint} to ${table}`);
		}
		for (const [constraint, definition] of Object.entries(after.checkConstraints)) {
			if (!same(before.checkConstraints[constraint], definition)) flag(`adds a CHECK constraint ${constraint} to ${table}`);
		}
	}
	return found;
}

/** Everything `migration` takes away or tightens; empty when it only adds. */
export function contractions(migration: Migration): Contraction[] {
	const naming = (table: string) =>
		shown(migration.statements.find((statement) => new RegExp(`\\b${table}\\b`, "i").test(normalize(statement))) ?? "") ||
		"(no statement names the table)";
	const fromSnapshot = migration.previous ? snapshotContractions(migration.previous, migration.snapshot) : [];
	return [...sqlContractions(migration.statements), ...fromSnapshot.map(({ table, change }) => ({ change, statement: naming(table) }))].map(
		(found) => ({ migration: migration.name, ...found }),
	);
}
