/**
 * A webhook receiver on 127.0.0.1 for tests, the demo and the benchmark:
 * records every request and answers with whatever `respond` decides.
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
	close(): Promise<void>;
}

export async function startReceiver(
	respond: (webhook: ReceivedWebhook, index: number) => ReceiverReply | Promise<ReceiverReply> = () => ({ status: 200 }),
	port = 0,
): Promise<Receiver> {
	const received: ReceivedWebhook[] = [];
	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const webhook = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() };
		received.push(webhook);
		const reply = await respond(webhook, received.length - 1);
		res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
		res.end(reply.body ?? "");
	});
	server.keepAliveTimeout = 1000;
	await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
	const { port: actualPort } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${actualPort}`,
		received,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
