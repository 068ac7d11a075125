/**
 * Event bodies as bytes: UTF-8 text (with or without a BOM) is delivered
 * byte for byte as received; bytes that are not UTF-8 are refused, never
 * "repaired" with U+FFFD and then signed and delivered changed.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { newSigningSecret } from "../../src/lib/standardWebhooks";
import { api, json } from "../helpers/api";
import { createEndpoint, fixture, ingestHeaders, request, rows, runConsumer } from "../helpers/worker";

const BOM = [0xef, 0xbb, 0xbf];
const encoder = new TextEncoder();

/** The ticket.created sample with a non-ASCII subject, as UTF-8 bytes. */
function nonAsciiEvent(): Uint8Array {
	const text = fixture("ticket.created").replace("Invoice #1042 charged twice", "café ✓ 日本");
	expect(text).toContain("café ✓ 日本");
	return encoder.encode(text);
}

function withBom(bytes: Uint8Array): Uint8Array {
	return new Uint8Array([...BOM, ...bytes]);
}

function ingestBytes(body: Uint8Array, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) {
	return request("/events", { method: "POST", body, headers: { ...ingestHeaders, ...headers } }, { env: overrides });
}

/** A destination that answers 200 and records the exact bytes (and the headers) of every request it receives. */
function captureDelivered() {
	const received: { bytes: Uint8Array; headers: Record<string, string> }[] = [];
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const request = new Request(input, init);
		received.push({ bytes: new Uint8Array(await request.arrayBuffer()), headers: Object.fromEntries(request.headers) });
		return new Response("ok", { status: 200 });
	});
	return received;
}

/** Ingests `body` for one endpoint and returns what its delivery carried, with the endpoint's signing secret. */
async function deliveredOf(body: Uint8Array, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) {
	const { secret } = await createEndpoint("https://receiver.example/hook");
	const received = captureDelivered();
	const { response, queue } = await ingestBytes(body, headers, overrides);
	expect(response.status).toBe(202);
	await runConsumer(queue.messages.map((m) => m.deliveryId));
	const [delivery] = await rows<{ status: string }>("SELECT status FROM deliveries");
	expect(delivery.status).toBe("delivered");
	expect(received).toHaveLength(1);
	return { ...received[0], secret };
}

async function deliveredBytesOf(body: Uint8Array, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) {
	return (await deliveredOf(body, headers, overrides)).bytes;
}

/** Bytes as the text they encode, a leading BOM kept: what a receiver verifies the signature over. */
const asText = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);

describe("event body bytes", () => {
	it("delivers non-ASCII UTF-8 byte for byte as received", async () => {
		const sent = nonAsciiEvent();
		expect(await deliveredBytesOf(sent)).toEqual(sent);
	});

	it("accepts a leading UTF-8 BOM and delivers it too, byte for byte", async () => {
		const sent = withBom(nonAsciiEvent());
		const delivered = await deliveredBytesOf(sent);
		expect([...delivered.subarray(0, 3)]).toEqual(BOM);
		expect(delivered).toEqual(sent);
	});

	for (const [name, bytes] of [
		["non-ASCII UTF-8", nonAsciiEvent],
		["a leading BOM", () => withBom(nonAsciiEvent())],
	] as const) {
		it(`stores a body with ${name} deflated, and GET /api/events/{id} returns it byte for byte`, async () => {
			const sent = bytes();
			const { response } = await ingestBytes(sent);
			const { event_id } = await json<{ event_id: string }>(response);
			const [stored] = await rows<{ body: string; deflated: number }>(
				"SELECT body, length(body_deflated) AS deflated FROM events WHERE id = ?",
				event_id,
			);
			expect(stored.body).toBe("");
			expect(stored.deflated).toBeGreaterThan(0);
			expect(stored.deflated).toBeLessThan(sent.length * 0.6);
			const event = await json<{ body: string }>(await api(`/events/${event_id}`));
			expect(encoder.encode(event.body)).toEqual(sent);
		});
	}

	it("still delivers and shows an event stored before bodies were deflated (its text in body)", async () => {
		const sent = withBom(nonAsciiEvent());
		await createEndpoint("https://receiver.example/hook");
		const received = captureDelivered();
		const { response, queue } = await ingestBytes(sent);
		const { event_id } = await json<{ event_id: string }>(response);
		await env.DB.prepare("UPDATE events SET body = ?, body_deflated = NULL WHERE id = ?").bind(asText(sent), event_id).run();
		await runConsumer(queue.messages.map((m) => m.deliveryId));
		expect(received.map((r) => r.bytes)).toEqual([sent]);
		expect(encoder.encode((await json<{ body: string }>(await api(`/events/${event_id}`))).body)).toEqual(sent);
	});

	it("verifies a signed event over the body as received, BOM included", async () => {
		const secret = newSigningSecret();
		const sent = withBom(nonAsciiEvent());
		const at = new Date();
		const headers = {
			"webhook-id": "msg_bom",
			"webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
			// The sender signs the text its bytes encode: a BOM is part of it.
			"webhook-signature": new Webhook(secret).sign("msg_bom", at, new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(sent)),
		};
		expect(await deliveredBytesOf(sent, headers, { INGEST_SIGNING_SECRET: secret })).toEqual(sent);
	});

	it("signs a non-ASCII body over its UTF-8 bytes: the standardwebhooks package verifies the delivery", async () => {
		const sent = nonAsciiEvent();
		const delivered = await deliveredOf(sent);
		expect(delivered.bytes).toEqual(sent);
		expect(new Webhook(delivered.secret).verify(asText(delivered.bytes), delivered.headers)).toEqual(JSON.parse(asText(sent)));
	});

	it("signs a body with a leading BOM over every byte, BOM included: it verifies, and not without the BOM", async () => {
		const sent = withBom(nonAsciiEvent());
		const delivered = await deliveredOf(sent);
		expect(delivered.bytes).toEqual(sent);
		const webhook = new Webhook(delivered.secret);
		// The signature matches (jsonParse off: JSON.parse refuses a leading BOM, which a receiver strips before parsing).
		expect(() => webhook.verify(asText(delivered.bytes), delivered.headers, { jsonParse: false })).not.toThrow();
		// TextDecoder's default drops the BOM: that text is not what was signed.
		expect(() => webhook.verify(new TextDecoder().decode(delivered.bytes), delivered.headers, { jsonParse: false })).toThrow(
			/No matching signature/,
		);
	});

	/** The ticket.created sample with 0xC3 0x28 inside the subject: 0xC3 opens a two-byte sequence, "(" cannot continue it. */
	function invalidEvent(): Uint8Array {
		const [before, after] = fixture("ticket.created").split("Invoice #1042");
		return new Uint8Array([...encoder.encode(before), 0xc3, 0x28, ...encoder.encode(after)]);
	}

	const refusals: [name: string, overrides: Partial<Env>][] = [
		["", {}],
		// Checked before the signature, which can only be verified over text.
		[" (signed ingest on, unsigned request)", { INGEST_SIGNING_SECRET: newSigningSecret() }],
	];
	for (const [name, overrides] of refusals) {
		it(`refuses a body that is not UTF-8 with 400 invalid_utf8, storing and queuing nothing${name}`, async () => {
			await createEndpoint("https://receiver.example/hook");
			const { response, queue } = await ingestBytes(invalidEvent(), {}, overrides);
			expect(response.status).toBe(400);
			expect(await response.json()).toMatchObject({ code: "invalid_utf8", error: expect.stringMatching(/UTF-8 encoded JSON/) });
			expect(queue.batches).toEqual([]);
			expect(await rows("SELECT id FROM events")).toEqual([]);
			expect(await rows("SELECT id FROM deliveries")).toEqual([]);
		});
	}
});
