/**
 * A real Chromium for the browser tests, driven by playwright-core: CHROME_PATH
 * if set, else Debian's /usr/bin/chromium, else a system Chrome. Every test
 * opens fresh contexts (own cookies, nothing shared) from one launch. Plus
 * what the browser tests share: screenshots, the axe-core check, the phone
 * width, the navigations an action made, the operator's sign-in, and
 * "another site" on 127.0.0.2. (The API is the stack's client: `stack.hivepost`.)
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { AxeBuilder } from "@axe-core/playwright";
import {
	type BrowserContext,
	type BrowserContextOptions,
	chromium,
	type Locator,
	type Page,
	type Request as PageRequest,
} from "playwright-core";
import { expect } from "vitest";
import { waitFor } from "../../scripts/lib/waitFor.ts";
import { E2E_TOKENS, type TestStack } from "./localStack";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

const ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

/** The stack's settings in the browser tests: retries an hour apart and a long stranding time, so nothing moves while a page is read. */
export const PAGE_TEST_SETTINGS = {
	RETRY_INTERVAL_SECONDS: "3600",
	MAX_RETRIES: "3",
	DELIVERY_TIMEOUT_MS: "5000",
	STRANDED_AFTER_SECONDS: "600",
	ALLOW_PRIVATE_DESTINATIONS: "true",
	ACCESS_TEAM_DOMAIN: "",
	ACCESS_AUD: "",
};

export const LAPTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = "test-results/admin";

export function findBrowser(): string {
	const fromEnv = process.env.CHROME_PATH;
	if (fromEnv) {
		if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH is set to ${fromEnv}, which does not exist.`);
		return fromEnv;
	}
	const found = CANDIDATES.find((path) => existsSync(path));
	if (!found) {
		throw new Error(
			"The browser tests need Chromium or Chrome, and none was found. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROME_PATH to a Chrome or Chromium binary.",
		);
	}
	return found;
}

export interface Browser {
	/** A fresh context: no cookies, no history, a laptop-sized viewport unless told otherwise. */
	newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
	close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const browser = await chromium.launch({ executablePath: findBrowser(), headless: true, args: ARGS });
	return {
		newContext: (options) => browser.newContext({ viewport: LAPTOP, ...options }),
		close: () => browser.close(),
	};
}

export async function shot(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Laptop and phone screenshots of the page as it is (the viewport is put back). */
export async function shotBothWidths(page: Page, name: string): Promise<void> {
	await shot(page, name);
	await page.setViewportSize(PHONE);
	await shot(page, `${name}-phone`);
	await page.setViewportSize(LAPTOP);
}

/**
 * axe-core over the page: every finding of impact "serious" or "critical",
 * each as its rule id and the elements it found, prefixed with `what`. axe is
 * injected by Playwright through the DevTools protocol, which the page's CSP
 * does not govern, so the app's CSP stays as it is (no bypassCSP needed).
 */
export async function axeFindings(page: Page, what: string): Promise<string[]> {
	const results = await new AxeBuilder({ page }).analyze();
	if (results.passes.length === 0) return [`${what}: axe ran no rule (was it injected?)`];
	// Not axe rules: one h1 per page, naming it; control borders at 3:1 (WCAG 1.4.11), which axe does not check.
	const where = `${what} (${new URL(page.url()).pathname})`;
	const headings = await page.locator("h1").count();
	const oneHeading = headings === 1 ? [] : [`${where}: ${headings} h1 elements, not one`];
	const faintControls = (await faintControlBorders(page)).map((control) => `${where}: control-border-contrast: ${control}`);
	return results.violations
		.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
		.map(
			(finding) =>
				`${where}: ${finding.id} (${finding.impact}): ${finding.help}\n${finding.nodes
					.map((node) => `    ${node.target.join(" ")}: ${node.failureSummary?.split("\n").slice(1).join(" ").trim()}`)
					.join("\n")}`,
		)
		.concat(oneHeading, faintControls);
}

/**
 * Visible text fields, selects and buttons whose edge is under 3:1 against
 * what is behind them: neither their border nor their own background stands
 * out enough. (Checkboxes and radios are drawn by the browser.)
 */
export function faintControlBorders(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const rgb = (color: string) => {
			const match = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(color);
			return match ? { channels: [match[1], match[2], match[3]].map(Number), alpha: match[4] === undefined ? 1 : Number(match[4]) } : null;
		};
		const luminance = (channels: number[]) => {
			const [r, g, b] = channels.map((value) => {
				const c = value / 255;
				return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
			});
			return 0.2126 * r + 0.7152 * g + 0.0722 * b;
		};
		const ratio = (a: number[], b: number[]) => {
			const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
			return (light + 0.05) / (dark + 0.05);
		};
		const behind = (element: Element): number[] => {
			for (let node = element.parentElement; node; node = node.parentElement) {
				const color = rgb(getComputedStyle(node).backgroundColor);
				if (color && color.alpha > 0) return color.channels;
			}
			return [255, 255, 255];
		};
		const controls = document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, button");
		return [...controls]
			.filter((control) => control.checkVisibility())
			.flatMap((control) => {
				const style = getComputedStyle(control);
				const back = behind(control);
				const border = rgb(style.borderTopColor);
				const fill = rgb(style.backgroundColor);
				const edge = Number.parseFloat(style.borderTopWidth) > 0 && border && border.alpha > 0 ? ratio(border.channels, back) : 1;
				const body = fill && fill.alpha > 0 ? ratio(fill.channels, back) : 1;
				if (Math.max(edge, body) >= 3) return [];
				const name = control.getAttribute("aria-label") ?? control.textContent?.trim() ?? control.id;
				return [`${control.tagName.toLowerCase()} "${name}": border ${edge.toFixed(2)}:1, background ${body.toFixed(2)}:1`];
			});
	});
}

/** Opens each path in turn and returns the serious or critical axe findings on all of them (and any page not answered 200). */
export async function axeFindingsOn(page: Page, baseUrl: string, pages: Record<string, string>): Promise<string[]> {
	const findings: string[] = [];
	for (const [what, path] of Object.entries(pages)) {
		const response = await page.goto(`${baseUrl}${path}`);
		if (response?.status() !== 200) findings.push(`${what} (${path}) answered ${response?.status()}, not 200`);
		findings.push(...(await axeFindings(page, what)));
	}
	return findings;
}

/** At 390 px nothing is wider than the screen: the page never scrolls sideways, nor does any table inside its scroll box. */
export async function expectFitsPhone(page: Page, what: string): Promise<void> {
	// After a click the next page may still be loading its stylesheet: measured without it, it overflows (seen on a loaded machine).
	await page.waitForLoadState("load");
	const widths = await page.evaluate(() => {
		const describe = (element: Element) =>
			`${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.classList.length ? `.${[...element.classList].join(".")}` : ""}`;
		return {
			viewport: window.innerWidth,
			page: document.documentElement.scrollWidth,
			// What sticks out, to say what overflows when something does.
			wide: [...document.querySelectorAll("body *")]
				.filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
				.slice(0, 8)
				.map(describe),
			scrolling: [...document.querySelectorAll(".table-wrap, pre")]
				.filter((element) => element.scrollWidth > element.clientWidth + 1)
				.map(describe),
		};
	});
	expect(widths.viewport, "the viewport is a phone's").toBe(PHONE.width);
	expect(
		widths.page,
		`${what} is ${widths.page} px wide at ${PHONE.width} px; sticking out: ${widths.wide.join(", ")}`,
	).toBeLessThanOrEqual(PHONE.width);
	expect(widths.scrolling, `${what}: boxes that scroll sideways at ${PHONE.width} px`).toEqual([]);
}

/** The `display` of every element `locator` matches. */
export function displays(locator: Locator): Promise<string[]> {
	return locator.evaluateAll((elements) => elements.map((element) => getComputedStyle(element).display));
}

export interface Navigation {
	method: string;
	path: string;
	status: number | null;
}

/** The main-frame document requests `action` made (each redirect its own entry), once the page has loaded. */
export async function navigationsDuring(page: Page, action: () => Promise<unknown>): Promise<Navigation[]> {
	const seen: PageRequest[] = [];
	const listener = (request: PageRequest) => {
		if (request.isNavigationRequest() && request.frame() === page.mainFrame()) seen.push(request);
	};
	page.on("request", listener);
	try {
		await action();
		await page.waitForLoadState("load");
	} finally {
		page.off("request", listener);
	}
	return Promise.all(
		seen.map(async (request) => {
			const url = new URL(request.url());
			return { method: request.method(), path: `${url.pathname}${url.search}`, status: (await request.response())?.status() ?? null };
		}),
	);
}

/** A fresh context signed in as the operator with the admin token, on the Web Hooks page. */
export async function signInAsOperator(browser: Browser, stack: TestStack, options?: BrowserContextOptions): Promise<Page> {
	const context = await browser.newContext(options);
	const page = await context.newPage();
	await page.goto(`${stack.url}/admin`);
	await page.getByLabel("Admin token").fill(E2E_TOKENS.ADMIN_TOKEN);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByRole("heading", { name: "Web Hooks", level: 1 }).waitFor();
	return page;
}

/** Reloads until `locator` matches something (deliveries complete in the background). */
export async function reloadUntil(page: Page, locator: Locator, what: string): Promise<void> {
	await waitFor(
		async () => {
			if ((await locator.count()) > 0) return true;
			await page.reload();
			return false;
		},
		15_000,
		what,
		200,
	);
}

export interface OtherSite {
	url: string;
	close(): Promise<void>;
}

/**
 * "Another site": a Node server on 127.0.0.2 (a different site from
 * 127.0.0.1 for Chromium) serving `html` at /, as a helpdesk's own page would.
 */
export async function serveOtherSite(html: () => string): Promise<OtherSite> {
	const server = createServer((_, res) => {
		res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
		res.end(html());
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.2", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.2:${port}`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
