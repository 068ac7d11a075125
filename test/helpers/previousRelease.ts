/**
 * Deliveries as the release before 0.6.0 wrote them, for the tests of what is left of `deliveries` (they run where it is
 * the table: vitest.config.ts): 0.6.0 makes them in deliveries_v2, and they are written into `deliveries` too, as 0.5.0
 * would have written them (0012's triggers copy them back, unchanged).
 */
import { env } from "cloudflare:workers";
import { directoryDatabase, insertInChunks } from "../../src/db/client";
import { endpointIdOf, eventIdOf, madeAt } from "../../src/db/keyedDeliveries";
import { deliveriesV2 } from "../../src/db/keyedSchema";
import { deliveries } from "../../src/db/schema";
import { createEndpoint, fixture, ingest } from "./worker";

/**
 * `events` events to two endpoints, their deliveries written to `deliveries` as the previous release wrote them (and by
 * 0012's triggers, unchanged, into deliveries_v2, where this release made them).
 */
export async function writtenBefore(events: number) {
	await createEndpoint("https://failing.example/hook");
	await createEndpoint("https://healthy.example/hook");
	for (let i = 0; i < events; i++) await ingest(fixture("ticket.created"));
	const made = await heldInV2();
	const db = directoryDatabase(env);
	const [first, ...rest] = insertInChunks(
		db,
		deliveries,
		made.map((row) => ({ ...row, createdAt: madeAt(row.id) })),
	);
	await db.batch([first, ...rest]);
}

/** Every delivery in deliveries_v2, as `deliveries` holds one but for created_at, in id order. */
export function heldInV2() {
	return directoryDatabase(env)
		.select({
			accountId: deliveriesV2.accountId,
			id: deliveriesV2.id,
			eventId: eventIdOf(),
			endpointId: endpointIdOf(),
			status: deliveriesV2.status,
			claimId: deliveriesV2.claimId,
			attemptCount: deliveriesV2.attemptCount,
			nextAttemptAt: deliveriesV2.nextAttemptAt,
			leaseUntil: deliveriesV2.leaseUntil,
			updatedAt: deliveriesV2.updatedAt,
			okSeq: deliveriesV2.okSeq,
			okStartedAt: deliveriesV2.okStartedAt,
			okDurationMs: deliveriesV2.okDurationMs,
			okStatusCode: deliveriesV2.okStatusCode,
			okResponse: deliveriesV2.okResponse,
		})
		.from(deliveriesV2)
		.orderBy(deliveriesV2.id);
}
