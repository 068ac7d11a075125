/** How the Web Hooks text (Update App) is split into URLs. */
import { describe, expect, it } from "vitest";
import { splitUrlList } from "../../src/endpoints/urlList";

describe("splitUrlList", () => {
	it("keeps a comma inside a URL: one URL", () => {
		expect(splitUrlList("https://a.example/?q=1,2")).toEqual(["https://a.example/?q=1,2"]);
		expect(splitUrlList("https://a.example/a,b/hook")).toEqual(["https://a.example/a,b/hook"]);
	});

	it("splits on a comma followed by another URL, with or without blanks", () => {
		expect(splitUrlList("https://a.example/hook?ids=1,2, https://b.example/x")).toEqual([
			"https://a.example/hook?ids=1,2",
			"https://b.example/x",
		]);
		expect(splitUrlList("https://a.example/?ids=1,2,https://b.example/x")).toEqual(["https://a.example/?ids=1,2", "https://b.example/x"]);
		expect(splitUrlList("https://a.example/x ,\n\tHTTP://b.example/y,Https://c.example/z")).toEqual([
			"https://a.example/x",
			"HTTP://b.example/y",
			"Https://c.example/z",
		]);
	});

	it("splits on white space and semicolons, and a mixed list on all three", () => {
		expect(
			splitUrlList(
				" https://a.example/?ids=1,2;https://b.example/x  https://c.example/y\nhttps://d.example/?t=a,b , https://e.example/z; ",
			),
		).toEqual([
			"https://a.example/?ids=1,2",
			"https://b.example/x",
			"https://c.example/y",
			"https://d.example/?t=a,b",
			"https://e.example/z",
		]);
	});

	it("drops a trailing comma and empty entries", () => {
		expect(splitUrlList("https://a.example/x, ")).toEqual(["https://a.example/x"]);
		expect(splitUrlList("https://a.example/x,,https://b.example/y;;")).toEqual(["https://a.example/x", "https://b.example/y"]);
		expect(splitUrlList(" , ; ")).toEqual([]);
	});

	it("leaves a comma before something that is not a URL to the URL check", () => {
		// "2" is then refused as a URL by name, rather than the comma silently ending the first URL.
		expect(splitUrlList("https://a.example/?q=1, 2")).toEqual(["https://a.example/?q=1,", "2"]);
	});

	it("splits exactly as its definition says, on every list of up to 5 of the pieces that matter", () => {
		// The definition, as a regular expression: fine for short text, quadratic on a run of commas.
		const definition = /[\s;]+|,(?=[\s,;]*(?:https?:\/\/|$))/i;
		const pieces = [",", " ", ";", "\n", "a", "https://", "HTTP://", "http:/"];
		const differing: string[] = [];
		let lists = [""];
		for (let count = 1; count <= 5; count++) {
			lists = lists.flatMap((list) => pieces.map((piece) => list + piece));
			for (const list of lists) {
				const expected = list.split(definition).filter((part) => part !== "");
				if (JSON.stringify(splitUrlList(list)) !== JSON.stringify(expected)) differing.push(list);
			}
		}
		expect(lists).toHaveLength(8 ** 5);
		expect(differing).toEqual([]);
	});

	it("takes runs of 200,000 commas in one pass, well within a second (the lookahead took over a minute)", () => {
		const started = performance.now();
		expect(splitUrlList(`https://a.example/hook${",".repeat(200_000)}`)).toEqual(["https://a.example/hook"]);
		expect(splitUrlList(`https://a.example/hook${",".repeat(200_000)}x`)).toEqual([`https://a.example/hook${",".repeat(200_000)}x`]);
		expect(performance.now() - started).toBeLessThan(1000);
	});
});
