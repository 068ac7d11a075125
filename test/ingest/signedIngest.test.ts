import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { DEFAULT_ACCOUNT_ID } from "../../src/db/defaultAccount";
import { claimSignedId, purgeExpiredSignedIds } from "../../src/ingest/signedIds";
import { SIGNATURE_TOLERANCE_SECONDS } from "../../src/ingest/verifySignature";
import { newSigningSecret } from "../../src/lib/standardWebhooks";
import { createAccount, fixture, ingest, recordingQueues, rows, rowsEverywhere, testEnv } from "../helpers/worker";

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
		const { response } = await ingest(body, { headers: signed(body), env: signedIngest });
		expect(response.status).toBe(202);
	});

	it("accepts when any of several signatures matches (the sender rotating its key)", async () => {
		const headers = signed(body);
		headers["webhook-signature"] = `v1,bm90IGl0 ${headers["webhook-signature"]}`;
		expect((await ingest(body, { headers, env: signedIngest })).response.status).toBe(202);
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
			const { response, queue } = await ingest(body, { headers: headers(), env: signedIngest });
			expect(response.status).toBe(401);
			expect(await response.json()).toMatchObject({ code: "invalid_signature", error: expect.stringMatching(message) });
			expect(queue.batches).toEqual([]);
			expect(await rows("SELECT id FROM events")).toEqual([]);
		});
	}

	it("answers a webhook-id too long to keep with 422 naming webhook-id and its limit, storing nothing", async () => {
		const { response } = await ingest(body, { headers: signed(body, `msg_${"x".repeat(241)}`), env: signedIngest });
		expect(response.status).toBe(422);
		expect(await response.json()).toMatchObject({
			code: "validation_failed",
			error: "webhook-id is longer than 244 characters.",
			fields: { "webhook-id": "too long" },
		});
		expect(await rows("SELECT id FROM events")).toEqual([]);
		const longest = `msg_${"x".repeat(240)}`;
		expect((await ingest(body, { headers: signed(body, longest), env: signedIngest })).response.status).toBe(202);
	});

	it("still needs the ingest token", async () => {
		const { response } = await ingest(body, { headers: { ...signed(body), authorization: "" }, env: signedIngest });
		expect(response.status).toBe(401);
		expect(((await response.json()) as { error: string }).error).toMatch(/ingest token/);
	});

	it("treats a replayed webhook-id as the same event", async () => {
		const first = await ingest(body, { headers: signed(body, "msg_replayed"), env: signedIngest });
		expect(first.response.status).toBe(202);
		const again = await ingest(body, { headers: signed(body, "msg_replayed", new Date(Date.now() + 1000)), env: signedIngest });
		expect(again.response.status).toBe(200);
		expect(await again.response.json()).toEqual(await first.response.json());
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
	});

	it("answers a replayed signed request as the same event even with a fresh Idempotency-Key", async () => {
		const headers = signed(body, "msg_captured");
		const first = await ingest(body, { headers, env: signedIngest });
		const replay = await ingest(body, { headers: { ...headers, "idempotency-key": "attacker-1" }, env: signedIngest });
		expect(replay.response.status).toBe(200);
		expect(await replay.response.json()).toEqual(await first.response.json());
		expect(await rows("SELECT id FROM events")).toHaveLength(1);
	});

	it("answers another signed body under a webhook-id already used in the account with 409 naming webhook-id, not Idempotency-Key", async () => {
		expect((await ingest(body, { headers: signed(body, "msg_reused"), env: signedIngest })).response.status).toBe(202);
		const other = fixture("ticket.answered");
		const { response } = await ingest(other, { headers: signed(other, "msg_reused"), env: signedIngest });
		expect(response.status).toBe(409);
		const answer = await response.json<{ code: string; error: string; fields: Record<string, string> }>();
		expect(answer).toMatchObject({ code: "idempotency_conflict", fields: { "webhook-id": "reused with a different body" } });
		expect(answer.error).toMatch(/^This webhook-id was already used/);
	});

	it("refuses a signed request replayed to another account's path with 409 idempotency_conflict, storing nothing", async () => {
		await createAccount("acme");
		const captured = signed(body, "msg_captured");
		expect((await ingest(body, { headers: captured, env: signedIngest })).response.status).toBe(202);
		const replay = await ingest(body, { headers: captured, env: signedIngest, account: "acme" });
		expect(replay.response.status).toBe(409);
		expect(await replay.response.json()).toMatchObject({
			code: "idempotency_conflict",
			error: expect.stringContaining("another account"),
			fields: { "webhook-id": "already accepted for another account" },
		});
		expect(replay.queue.batches).toEqual([]);
		expect(await rowsEverywhere("SELECT account_id FROM events")).toEqual([{ account_id: DEFAULT_ACCOUNT_ID }]);
		// The account that accepted it still gets its repeat answered as the same event.
		expect((await ingest(body, { headers: captured, env: signedIngest })).response.status).toBe(200);
	});

	it("accepts one webhook-id sent to two accounts at once for exactly one of them", async () => {
		await createAccount("acme");
		const headers = signed(body, "msg_raced");
		const answers = await Promise.all([
			ingest(body, { headers, env: signedIngest }),
			ingest(body, { headers, env: signedIngest, account: "acme" }),
		]);
		expect(answers.map(({ response }) => response.status).sort()).toEqual([202, 409]);
		expect(await rowsEverywhere("SELECT id FROM events")).toHaveLength(1);
	});

	it("keeps a webhook-id while a request signed with it still verifies; after that another account may use it, and the purge forgets it", async () => {
		await createAccount("acme");
		const at = new Date();
		expect((await ingest(body, { headers: signed(body, "msg_old", at), env: signedIngest })).response.status).toBe(202);
		const verifiesUntil = (Math.floor(at.getTime() / 1000) + SIGNATURE_TOLERANCE_SECONDS) * 1000;
		expect(await rows("SELECT webhook_id, expires_at FROM signed_ingest_ids")).toEqual([
			{ webhook_id: "msg_old", expires_at: verifiesUntil },
		]);

		await purgeExpiredSignedIds(env, verifiesUntil - 1);
		expect(await rows("SELECT webhook_id FROM signed_ingest_ids")).toHaveLength(1);
		const acme = (await rows<{ id: string }>("SELECT id FROM accounts WHERE uid = 'acme'"))[0].id;
		await expect(claimSignedId(env, acme, { id: "msg_old", verifiesUntil }, verifiesUntil - 1)).rejects.toMatchObject({
			code: "idempotency_conflict",
		});
		// Signed again later (a sender's retry), a request with that id verifies until a later time.
		await claimSignedId(env, acme, { id: "msg_old", verifiesUntil: verifiesUntil + 60_000 }, verifiesUntil + 1);
		expect(await rows("SELECT account_id FROM signed_ingest_ids")).toEqual([{ account_id: acme }]);

		await purgeExpiredSignedIds(env, verifiesUntil + 60_000);
		expect(await rows("SELECT webhook_id FROM signed_ingest_ids")).toEqual([]);
	});

	it("is forgotten by the cron once no request signed with it verifies", async () => {
		await env.DB.prepare(
			"INSERT INTO signed_ingest_ids (webhook_id, account_id, expires_at) VALUES ('msg_spent', 'acc_default', ?), ('msg_live', 'acc_default', ?)",
		)
			.bind(Date.now() - 1, Date.now() + 60_000)
			.run();
		await worker.scheduled(createScheduledController({ cron: "* * * * *" }), testEnv(recordingQueues()));
		expect(await rows("SELECT webhook_id FROM signed_ingest_ids")).toEqual([{ webhook_id: "msg_live" }]);
	});

	it("checks the signature only after the size limit (413 first)", async () => {
		const huge = `{"payload":{"action_type":"ticket.created","pad":"${"x".repeat(300_000)}"}}`;
		expect((await ingest(huge, { env: signedIngest })).response.status).toBe(413);
	});

	for (const malformed of ["not base64 at all!", "whsec_!!!!", "whsec_abc"]) {
		it(`closes ingest with 503 not_configured when the secret is malformed (${JSON.stringify(malformed)}), naming the setting`, async () => {
			const { response, queue } = await ingest(body, { headers: signed(body), env: { INGEST_SIGNING_SECRET: malformed } });
			expect(response.status).toBe(503);
			const answer = (await response.json()) as { code: string; error: string };
			expect(answer.code).toBe("not_configured");
			expect(answer.error).toContain("INGEST_SIGNING_SECRET");
			expect(answer.error).not.toContain(malformed);
			expect(queue.batches).toEqual([]);
		});
	}
});
