/**
 * A webhook receiver on 127.0.0.1 for tests, the demo and the benchmark:
 * records every request and answers with whatever `respond` decides, also
 * late (`replyAfter`), never (`neverReply`: a hanging destination) or 500 to
 * each delivery's first attempt only (`failFirstAttempt`), and
 * counts the requests it holds open at once.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
	receivedAt: number;
}

export interface ReceiverReply {
	status: number;
	body?: string;
	headers?: Record<string, string>;
}

export interface Receiver {
	url: string;
	received: ReceivedWebhook[];
	/** The most requests that were open at once (arrived, and not yet answered or cut off). */
	readonly peakOpenRequests: number;
	close(): Promise<void>;
}

/** A `respond` that answers `reply` after `ms`: a slow destination. */
export function replyAfter(ms: number, reply: ReceiverReply = { status: 200 }): () => Promise<ReceiverReply> {
	// Unref'd: a pending answer does not keep the process alive once the receiver is closed.
	return () => new Promise((resolve) => setTimeout(() => resolve(reply), ms).unref());
}

/**
 * A `respond` that answers 500 to the first request of each delivery (its
 * webhook-id at its path) and 200 to every later one: a receiver that fails
 * at once, then takes the retry.
 */
export function failFirstAttempt(): (webhook: ReceivedWebhook) => ReceiverReply {
	const seen = new Set<string>();
	return (webhook) => {
		const delivery = `${webhook.headers["webhook-id"]} ${webhook.path}`;
		if (seen.has(delivery)) return { status: 200 };
		seen.add(delivery);
		return { status: 500 };
	};
}

/** A `respond` that never answers: the request stays open (a hanging destination) until the sender gives up or `close()` destroys its socket. */
export function neverReply(): Promise<ReceiverReply> {
	return new Promise(() => {});
}

export async function startReceiver(
	respond: (webhook: ReceivedWebhook, index: number) => ReceiverReply | Promise<ReceiverReply> = () => ({ status: 200 }),
	port = 0,
): Promise<Receiver> {
	const received: ReceivedWebhook[] = [];
	let openRequests = 0;
	let peakOpenRequests = 0;
	const server = createServer(async (req, res) => {
		openRequests++;
		peakOpenRequests = Math.max(peakOpenRequests, openRequests);
		// Answered, or the connection closed under it (the sender gave up).
		res.once("close", () => openRequests--);
		const chunks: Buffer[] = [];
		try {
			for await (const chunk of req) chunks.push(chunk as Buffer);
		} catch {
			// Cut off before its body ended (the sender gave up, or close() destroyed the socket): not a delivery.
			return;
		}
		const webhook = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() };
		received.push(webhook);
		const reply = await respond(webhook, received.length - 1);
		// The sender may have given up (its timeout) while a late answer was pending.
		if (res.destroyed) return;
		res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
		res.end(reply.body ?? "");
	});
	// Idle connections stay open until close(): closing one just as the sender reuses it fails that
	// request with a reset ("Network connection lost"), a failed attempt caused by the receiver's race.
	server.keepAliveTimeout = 0;
	await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
	const { port: actualPort } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${actualPort}`,
		received,
		get peakOpenRequests() {
			return peakOpenRequests;
		},
		// Destroys every socket, also those of requests still waiting for an answer, so a hanging receiver lets the process exit.
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
