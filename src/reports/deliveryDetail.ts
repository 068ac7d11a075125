/**
 * One delivery as admins read it, with every attempt: its attempts rows, and the clean success kept on its row
 * (db/columns.ts, deliveryProgress), in the order they were made.
 */
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { AccountScope } from "../db/client";
import { deliveryOfAccount, theseDeliveries } from "../db/keyedDeliveries";
import { deliveriesV2 } from "../db/keyedSchema";
import { attempts } from "../db/schema";
import { errorKind } from "../delivery/errorKinds";
import type { SendResult } from "../delivery/send";
import { HttpError } from "../http/errors";
import { iso } from "../lib/time";
import { selectDeliveries, toDeliveryView } from "./deliveryLog";
import type { AttemptView, DeliveryDetail } from "./reportResponses";

export async function deliveryDetail(scope: AccountScope, id: string): Promise<DeliveryDetail> {
	const row = await selectDeliveries(scope).where(deliveryOfAccount(scope.accountId, id)).get();
	if (!row) throw new HttpError("not_found", `No delivery with id ${id}.`);
	// Its attempts rows and the success kept on its row, in the order they were made.
	const [rows, kept] = await scope.db.batch([
		scope.db
			.select(attemptColumns)
			.from(attempts)
			.where(and(eq(attempts.accountId, scope.accountId), eq(attempts.deliveryId, id))),
		scope.db
			.select({
				seq: deliveriesV2.okSeq,
				attemptNumber: deliveriesV2.attemptCount,
				// Named: D1 hands rows back by column name, and unnamed constants would share theirs.
				manual: sql<boolean>`0`.mapWith(Boolean).as("manual"),
				startedAt: deliveriesV2.okStartedAt,
				durationMs: deliveriesV2.okDurationMs,
				statusCode: deliveriesV2.okStatusCode,
				error: sql<null>`NULL`.as("error"),
				responseBody: deliveriesV2.okResponse,
				succeeded: sql<boolean>`1`.mapWith(Boolean).as("succeeded"),
			})
			.from(deliveriesV2)
			.where(
				and(theseDeliveries([{ accountId: scope.accountId, endpointId: row.endpointId, deliveryId: id }]), isNotNull(deliveriesV2.okSeq)),
			),
	]);
	const tries = [...rows, ...(kept as Attempt[])].sort((a, b) => a.seq - b.seq);
	return { ...toDeliveryView(row), attempts: tries.map(toAttemptView) };
}

/** What an attempt shows, from its row in `attempts` (or the success kept on its delivery's row, in the same shape). */
const attemptColumns = {
	seq: attempts.seq,
	attemptNumber: attempts.attemptNumber,
	manual: attempts.manual,
	startedAt: attempts.startedAt,
	durationMs: attempts.durationMs,
	statusCode: attempts.statusCode,
	error: attempts.error,
	responseBody: attempts.responseBody,
	succeeded: attempts.succeeded,
};

type Attempt = typeof attempts.$inferSelect;

/** An attempt as the API shows it; `number` counts automatic attempts and is null for a manual one. */
export function toAttemptView(attempt: Omit<Attempt, "accountId" | "deliveryId" | "seq">): AttemptView {
	return {
		number: attempt.attemptNumber,
		manual: attempt.manual,
		started_at: iso(attempt.startedAt),
		duration_ms: attempt.durationMs,
		status_code: attempt.statusCode,
		error: attempt.error,
		error_kind: attempt.succeeded ? null : errorKind(attempt.statusCode, attempt.error),
		response_body: attempt.responseBody,
		succeeded: attempt.succeeded,
	};
}

/** What a "Retry now" attempt looked like, in the same shape. */
export function manualAttemptView(result: SendResult): AttemptView {
	return toAttemptView({
		attemptNumber: null,
		manual: true,
		startedAt: result.startedAt,
		durationMs: result.durationMs,
		statusCode: result.statusCode,
		error: result.error,
		responseBody: result.responseBody,
		succeeded: result.ok,
	});
}
