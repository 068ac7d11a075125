/**
 * One name per idea: no two modules of src/ share a name, so a name says
 * which one is meant, except the routes of a resource in api/ and its pages
 * in pages/, which mirror each other.
 */
import { expect, it } from "vitest";
import { SOURCES } from "./sources";

it("gives no two modules of src/ one name, except a resource's api/ and pages/ twins", () => {
	const byName = new Map<string, string[]>();
	for (const path of Object.keys(SOURCES).filter((path) => path.startsWith("src/"))) {
		const name = path.slice(path.lastIndexOf("/") + 1).replace(/\.(ts|tsx)$/, "");
		byName.set(name, [...(byName.get(name) ?? []), path]);
	}
	const mirrors = (paths: string[]) =>
		paths.length === 2 && paths.some((p) => p.startsWith("src/api/")) && paths.some((p) => p.startsWith("src/pages/"));
	expect([...byName.values()].filter((paths) => paths.length > 1 && !mirrors(paths))).toEqual([]);
});
