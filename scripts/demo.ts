/**
 * `npm run demo`: the whole product working in about a minute. Starts its own
 * local stack (own state folder, fresh local tokens, retries every few
 * seconds), two receivers on 127.0.0.1 (one healthy, one that always answers
 * 500), registers them, sends all 16 SupportBee samples, shows the healthy
 * receiver get them all signed and the failing one get exactly 1 + 3 attempts,
 * then keeps running for exploring until Ctrl-C, and cleans up after itself.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startConsoleReceiver } from "./lib/consoleReceiver.ts";
import { hivepostClient } from "./lib/hivepostClient.ts";
import { applyLocalMigrations, freePort, startLocalStack, sweepEveryMinute, writeSettingsFile } from "./lib/localStack.ts";
import { allSamples } from "./lib/samples.ts";
import { waitFor } from "./lib/waitFor.ts";

const RETRY_INTERVAL_SECONDS = 4;
const MAX_RETRIES = 3;
/** The one event type the failing receiver subscribes to. */
const FAILING_EVENT = "ticket.created";

const settings = {
	ADMIN_TOKEN: randomBytes(18).toString("base64url"),
	INGEST_TOKEN: randomBytes(18).toString("base64url"),
	RETRY_INTERVAL_SECONDS: String(RETRY_INTERVAL_SECONDS),
	MAX_RETRIES: String(MAX_RETRIES),
	DELIVERY_TIMEOUT_MS: "5000",
	STRANDED_AFTER_SECONDS: "120",
	RETENTION_DAYS: "30",
	HTTPS_ONLY: "false",
	// The receivers listen on 127.0.0.1, which production refuses.
	ALLOW_PRIVATE_DESTINATIONS: "true",
	PUBLIC_ORIGINS: "",
};

const samples = allSamples();

const step = (text: string) => console.log(`\n▸ ${text}`);

step("Starting the local stack (wrangler dev with local D1, Queues and Durable Objects) in a fresh state folder…");
const stateDir = mkdtempSync(join(tmpdir(), "hivepost-demo-"));
const envFile = writeSettingsFile(stateDir, settings);
applyLocalMigrations(stateDir);
const stack = await startLocalStack({ port: Number(process.env.PORT ?? 0) || (await freePort()), persistTo: stateDir, envFile });
const stopSweeping = sweepEveryMinute(stack.url);
const hivepost = hivepostClient({ url: stack.url, operatorToken: settings.ADMIN_TOKEN, ingestToken: settings.INGEST_TOKEN });

// Secrets are known once the endpoints exist; the receivers read them from here.
const secrets = { healthy: "", failing: "" };
const healthy = await startConsoleReceiver({
	status: 200,
	failRate: 0,
	delayMs: 0,
	label: "healthy",
	get secret() {
		return secrets.healthy;
	},
});
const failing = await startConsoleReceiver({
	status: 500,
	failRate: 0,
	delayMs: 0,
	label: "failing",
	get secret() {
		return secrets.failing;
	},
});

let cleaningUp = false;
async function cleanUp(code: number): Promise<never> {
	if (!cleaningUp) {
		cleaningUp = true;
		stopSweeping();
		await stack.stop();
		await Promise.all([healthy.close(), failing.close()]);
		rmSync(stateDir, { recursive: true, force: true });
		console.log("\nStopped the stack and the receivers and removed the demo's state folder.");
	}
	process.exit(code);
}
process.on("SIGINT", () => void cleanUp(0));
process.on("SIGTERM", () => void cleanUp(0));

try {
	step("Registering two receivers through the endpoints API…");
	secrets.healthy = (await hivepost.createEndpoint({ url: `${healthy.url}/hook` })).body.secret;
	secrets.failing = (await hivepost.createEndpoint({ url: `${failing.url}/hook`, events: [FAILING_EVENT] })).body.secret;
	console.log(`  healthy  ${healthy.url}/hook   all events, answers 200`);
	console.log(`  failing  ${failing.url}/hook   only ${FAILING_EVENT}, always answers 500`);

	step(`Sending all ${samples.length} SupportBee sample events to POST /events…`);
	const started = Date.now();
	for (const sample of samples) await hivepost.ingest(sample.body);

	step(`Waiting for every delivery, and for the failing receiver's ${MAX_RETRIES} retries (${RETRY_INTERVAL_SECONDS} s apart)…`);
	const failingAttempts = 1 + MAX_RETRIES;
	await waitFor(() => healthy.received.length >= samples.length, 30_000, "the healthy receiver to get every sample");
	await waitFor(() => failing.received.length >= failingAttempts, (failingAttempts * RETRY_INTERVAL_SECONDS + 30) * 1000, "the retries");
	// Long enough to show that no fifth attempt comes.
	await new Promise((resolve) => setTimeout(resolve, (RETRY_INTERVAL_SECONDS + 1) * 1000));

	const gaps = failing.received.slice(1).map((webhook, i) => ((webhook.receivedAt - failing.received[i].receivedAt) / 1000).toFixed(1));
	console.log(`
Summary (${((Date.now() - started) / 1000).toFixed(0)} s):
  healthy receiver: ${healthy.received.length} deliveries for ${samples.length} events, each signed (see "signature valid" above).
  failing receiver: ${failing.received.length} attempts for 1 event (1 + ${MAX_RETRIES} retries, ${gaps.join(" s, ")} s apart) and no fifth:
                    its retry budget is spent and the delivery is failed. In production retries are an hour apart.

Hivepost keeps running at ${stack.url} with local demo tokens (fresh each run, never for production):
  Admin page:   ${stack.url}/admin   sign in with the admin token
  Admin token:  ${settings.ADMIN_TOKEN}
  Ingest:       curl -s -X POST ${stack.url}/events -H 'authorization: Bearer ${settings.INGEST_TOKEN}' \\
                  -H 'content-type: application/json' --data-binary @static/samples/supportbee/ticket.created.json
                (ticket.created also goes to the failing receiver: watch its retries)
  Endpoints:    curl -s ${stack.url}/api/endpoints -H 'authorization: Bearer ${settings.ADMIN_TOKEN}'

Press Ctrl-C to stop everything and remove the demo's state.`);
} catch (error) {
	console.error(`\nThe demo failed: ${error instanceof Error ? error.message : error}`);
	await cleanUp(1);
}
