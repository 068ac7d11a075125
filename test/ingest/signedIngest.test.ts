import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret } from "../../src/standardWebhooks";
import { fixture, ingest, rows } from "../helpers";

const secret = newSigningSecret();
const signedIngest = { INGEST_SIGNING_SECRET: secret };

/** Standard Webhooks headers for `body`, made with the standardwebhooks package. */
function signed(body: string, id = "msg_1", at = new Date(), key = secret): Record<string, string> {
	return {
		"webhook-id": id,
		"webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
		"webhook-signature": new Webhook(key).sign(id, at, body),
	};
}

describe("signed ingest (INGEST_SIGNING_SECRET set)", () => {
	const body = fixture("ticket.created");

	it("accepts a request signed with the secret", async () => {
		const { response } = await ingest(body, signed(body), signedIngest);
		expect(response.status).toBe(202);
	});

	it("accepts when any of several signatures matches (the sender rotating its key)", async () => {
		const headers = signed(body);
		headers["webhook-signature"] = `v1,bm90IGl0 ${headers["webhook-signature"]}`;
		expect((await ingest(body, headers, signedIngest)).response.status).toBe(202);
	});

	const refused: [name: string, headers: () => Record<string, string>, message: RegExp][] = [
		["the token alone", () => ({}), /Missing signature headers/],
		["a signature made with another secret", () => signed(body, "msg_1", new Date(), newSigningSecret()), /No webhook-signature matches/],
		["a signature over another body", () => signed(fixture("ticket.answered")), /No webhook-signature matches/],
		["a stale timestamp (over 5 minutes old)", () => signed(body, "msg_1", new Date(Date.now() - 301_000)), /5 minutes/],
		["a timestamp from the future", () => signed(body, "msg_1", new Date(Date.now() + 301_000)), /5 minutes/],
	];
	for (const [name, headers, message] of refused) {
		it(`answers 401 to ${name}, storing nothing`, async () => {
			const { response, queue } = await ingest(body, headers(), signedIngest);
			expect(response.status).toBe(401);
			expect(await response.json()).toMatchObject({ code: "invalid_signature", error: expect.stringMatching(message) });
			expect(queue.batches).toEqual([]);
			expect(await rows("SELECT id FROM events")).toEqual([]);
		});
	}

	it("still needs the ingest token", async () => {
		const { response } = await ingest(body, { ...signed(body), authorization: "" }, signedIngest);
		expect(response.status).toBe(401);
		expect(((await response.json()) as { error: string }).error).toMatch(/ingest token/);
	});

	it("treats a replayed webhook-id as the same event", async () => {
		const first = await ingest(body, signed(body, "msg_replayed"), signedIngest);
		expect(first.response.status).toBe(202);
		const again = await ingest(body, signed(body, "msg_replayed", new Date(Date.now() + 1000)), signedIngest);
		expect(again.response.status).toBe(200);
		expect(await again.response.json()).toEqual(await first.response.json());
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
	});

	it("answers a replayed signed request as the same event even with a fresh Idempotency-Key", async () => {
		const headers = signed(body, "msg_captured");
		const first = await ingest(body, headers, signedIngest);
		const replay = await ingest(body, { ...headers, "idempotency-key": "attacker-1" }, signedIngest);
		expect(replay.response.status).toBe(200);
		expect(await replay.response.json()).toEqual(await first.response.json());
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
	});

	it("checks the signature only after the size limit (413 first)", async () => {
		const huge = `{"payload":{"action_type":"ticket.created","pad":"${"x".repeat(300_000)}"}}`;
		expect((await ingest(huge, {}, signedIngest)).response.status).toBe(413);
	});

	for (const malformed of ["not base64 at all!", "whsec_!!!!", "whsec_abc"]) {
		it(`closes ingest with 503 not_configured when the secret is malformed (${JSON.stringify(malformed)}), naming the setting`, async () => {
			const { response, queue } = await ingest(body, signed(body), { INGEST_SIGNING_SECRET: malformed });
			expect(response.status).toBe(503);
			const answer = (await response.json()) as { code: string; error: string };
			expect(answer.code).toBe("not_configured");
			expect(answer.error).toContain("INGEST_SIGNING_SECRET");
			expect(answer.error).not.toContain(malformed);
			expect(queue.batches).toEqual([]);
		});
	}
});
