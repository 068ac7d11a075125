/**
 * A real Chromium for the browser tests, driven by playwright-core: CHROME_PATH
 * if set, else Debian's /usr/bin/chromium, else a system Chrome. Each launch
 * gets a fresh user-data dir.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

const ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

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
	context: BrowserContext;
	close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
	const userDataDir = mkdtempSync(join(tmpdir(), "hivepost-chromium-"));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: findBrowser(),
		headless: true,
		args: ARGS,
		viewport: { width: 1280, height: 900 },
	});
	return {
		context,
		close: async () => {
			await context.close();
			rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}
