/**
 * A receiver that prints each delivery as it arrives (event type, webhook-id,
 * attempt time, whether the Standard Webhooks signature verifies) and can be
 * told to fail, for `npm run receiver` and `npm run demo`.
 */
import { Webhook } from "standardwebhooks";
import { type ReceivedWebhook, type Receiver, startReceiver } from "./receiver.ts";

export interface ReceiverBehaviour {
	/** Status of every answer (default 200). */
	status: number;
	/** Share of deliveries (0..1) answered 500 instead. */
	failRate: number;
	/** Wait this long before answering (ms), e.g. to exceed DELIVERY_TIMEOUT_MS. */
	delayMs: number;
	/** The endpoint's signing secret (`whsec_...`), to verify signatures. */
	secret?: string;
	/** Printed in front of each line, to tell receivers apart. */
	label?: string;
}

function signatureCheck(webhook: ReceivedWebhook, secret: string | undefined): string {
	if (!secret) return "signature not checked (no --secret)";
	try {
		new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>);
		return "signature valid";
	} catch (error) {
		return `signature INVALID (${error instanceof Error ? error.message : error})`;
	}
}

function eventType(body: string): string {
	try {
		return String(JSON.parse(body)?.payload?.action_type ?? "(no action_type)");
	} catch {
		return "(not JSON)";
	}
}

export function startConsoleReceiver(
	behaviour: ReceiverBehaviour,
	port = 0,
	print: (line: string) => void = console.log,
): Promise<Receiver> {
	return startReceiver(async (webhook) => {
		if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
		const status = Math.random() < behaviour.failRate ? 500 : behaviour.status;
		const time = new Date(webhook.receivedAt).toISOString().slice(11, 23);
		print(
			[
				behaviour.label ? `[${behaviour.label}]` : "",
				time,
				eventType(webhook.body).padEnd(28),
				`webhook-id ${webhook.headers["webhook-id"] ?? "(none)"}`,
				signatureCheck(webhook, behaviour.secret),
				`→ ${status}`,
			]
				.filter(Boolean)
				.join("  "),
		);
		return { status, body: status < 300 ? "ok" : "failing on purpose" };
	}, port);
}
