/**
 * What the local D1 database holds, as D1 counts it toward its 10 GB: the
 * SQLite pages in use (`dbstat`: every table's and index's pages, free pages
 * not counted), per table and index. Read from the database file Miniflare
 * keeps under the stack's state folder, read-only, with Node's own SQLite
 * (the running stack keeps writing; a reader sees the last committed state).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Bytes in use per table or index (`sqlite_schema` included). */
export type PagesInUse = Record<string, number>;

/** Reads `file` read-only with `read`, then closes it. */
function reading<T>(file: string, read: (db: DatabaseSync) => T): T {
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		return read(db);
	} finally {
		db.close();
	}
}

/** The SQLite file of the bench's D1 database: of Miniflare's files under `stateDir`, the one with Hivepost's tables. */
function d1File(stateDir: string): string {
	const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
	const files = readdirSync(dir)
		.filter((name) => name.endsWith(".sqlite"))
		.map((name) => join(dir, name))
		.filter((file) => reading(file, (db) => db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events'").get() !== undefined));
	if (files.length !== 1) throw new Error(`expected one local D1 database with Hivepost's tables under ${dir}, found ${files.length}`);
	return files[0];
}

/** The bytes in use of the bench's D1 database, by table and index. */
export function pagesInUse(stateDir: string): PagesInUse {
	return reading(d1File(stateDir), (db) => {
		const rows = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[];
		return Object.fromEntries(rows.map((row) => [row.name, row.bytes]));
	});
}

/** What grew between two readings, per table or index, and in all. */
export function growth(before: PagesInUse, after: PagesInUse): { total: number; byName: Record<string, number> } {
	const byName: Record<string, number> = {};
	for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
		const grew = (after[name] ?? 0) - (before[name] ?? 0);
		if (grew !== 0) byName[name] = grew;
	}
	return { total: Object.values(byName).reduce((sum, bytes) => sum + bytes, 0), byName };
}
