/**
 * A release's statements: what its code runs against D1 on the paths that
 * keep running while an upgrade is under way (ingest, claim, record, sweep,
 * retention, an admin's manual actions, the cron as a whole, a move to
 * another database, and the account and endpoint changes that set them up),
 * in the order they ran, recorded by releaseStatements.record.ts into
 * fixtures/<version>.json. The upgrade test replays the newest of them
 * against the current migrations.
 */
import type { RecordedStatement } from "../helpers/recordingDatabase";

export const RELEASE_PATHS = [
	"accounts",
	"endpoints",
	"ingest",
	"claim",
	"record",
	"sweep",
	"retention",
	"manual",
	"cron",
	"move",
] as const;
export type ReleasePath = (typeof RELEASE_PATHS)[number];

export interface ReleaseStatement extends RecordedStatement {
	path: ReleasePath;
}

/** Bytes bound to a statement (a deflated body), as the fixture's JSON keeps them. */
export interface RecordedBytes {
	base64: string;
}

/** A bound value as the fixture keeps it: bytes as base64, anything else as it was. */
export function toFixtureParam(value: unknown): unknown {
	if (!(value instanceof ArrayBuffer || ArrayBuffer.isView(value))) return value;
	const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
	return { base64: btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join("")) } satisfies RecordedBytes;
}

/** A bound value from the fixture, bytes made bytes again. */
export function fromFixtureParam(value: unknown): unknown {
	if (typeof value !== "object" || value === null || !("base64" in value)) return value;
	return Uint8Array.from(atob((value as RecordedBytes).base64), (char) => char.charCodeAt(0));
}

export interface ReleaseFixture {
	release: string;
	/** The last migration the release shipped with: its own schema, on which its statements were recorded. */
	lastMigration: string;
	statements: ReleaseStatement[];
}

// Every fixture, bundled into the tests by Vite.
const FIXTURES = import.meta.glob<ReleaseFixture>("./fixtures/*.json", { import: "default", eager: true });

/** -1, 0 or 1 as version `a` is older than, the same as or newer than `b` ("0.10.0" is newer than "0.9.1"). */
export function compareVersions(a: string, b: string): number {
	const [left, right] = [a, b].map((version) => version.split(".").map(Number));
	for (let i = 0; i < Math.max(left.length, right.length); i++) {
		const difference = (left[i] ?? 0) - (right[i] ?? 0);
		if (difference) return Math.sign(difference);
	}
	return 0;
}

/** The statements of the newest release recorded: the previous release while the next one is being built. */
export function newestReleaseStatements(): ReleaseFixture {
	const [newest] = Object.values(FIXTURES).sort((a, b) => compareVersions(b.release, a.release));
	if (!newest) throw new Error("no fixture in test/upgrade/fixtures: run `npm run record:statements` (migrations/README.md)");
	return newest;
}
