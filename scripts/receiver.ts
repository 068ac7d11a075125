/**
 * `npm run receiver -- [--port 9000] [--secret whsec_...] [--fail-rate 0.3] [--status 500] [--delay 2000] [--hivepost http://127.0.0.1:8787]`:
 * a webhook receiver on 127.0.0.1 that prints every delivery and whether its
 * signature verifies, and can fail on purpose so you can watch retries.
 */
import { parseArgs } from "node:util";
import { startConsoleReceiver } from "./lib/consoleReceiver.ts";

const { values } = parseArgs({
	options: {
		port: { type: "string", default: "9000" },
		secret: { type: "string" },
		"fail-rate": { type: "string", default: "0" },
		status: { type: "string", default: "200" },
		delay: { type: "string", default: "0" },
		// Where Hivepost runs, for the registration hint (npm run dev's address, PORT included).
		hivepost: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? "8787"}` },
	},
});

function numberOption(name: string, raw: string, min: number, max: number): number {
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min || value > max) {
		console.error(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
		process.exit(2);
	}
	return value;
}

const behaviour = {
	status: numberOption("status", values.status, 100, 599),
	failRate: numberOption("fail-rate", values["fail-rate"], 0, 1),
	delayMs: numberOption("delay", values.delay, 0, 600_000),
	secret: values.secret,
};
if (behaviour.secret && !behaviour.secret.startsWith("whsec_")) {
	console.error("--secret must be the endpoint's signing secret, starting with whsec_");
	process.exit(2);
}
const receiver = await startConsoleReceiver(behaviour, numberOption("port", values.port, 0, 65535));
console.log(`Receiving webhooks at ${receiver.url}/ (any path). Answers ${behaviour.status}${behaviour.failRate ? `, or 500 for ${behaviour.failRate * 100}% of deliveries` : ""}${behaviour.delayMs ? `, after ${behaviour.delayMs} ms` : ""}.
Register it:  curl -s -X POST ${values.hivepost}/api/endpoints -H 'authorization: Bearer <ADMIN_TOKEN>' \\
                -H 'content-type: application/json' -d '{"url": "${receiver.url}/hook"}'
Then restart with --secret <the whsec_... it returns> to verify signatures. Ctrl-C stops.`);

const stop = async () => {
	await receiver.close();
	process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
