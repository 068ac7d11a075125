/**
 * One status per endpoint, in words: Working; Failing since 06:29 (4 in a
 * row) with the last error and what to check; or Disabled, with why and when.
 * Why deliveries wait (slow, isolated, saturated) goes on a line below, only
 * when they do.
 */
import type { EndpointView } from "../../endpoints/endpointResponses";
import { Badge, DeliveryStateSummary, Time } from "./components";
import { Result } from "./results";

const CAUSE_WORDS = {
	gone: "the receiver answered 410 Gone",
	failing: "it kept failing",
	manual: "disabled by hand",
} as const;

export function EndpointStatus({ endpoint }: { endpoint: EndpointView }) {
	const { health } = endpoint;
	return (
		<div class="endpoint-status">
			{health.status === "disabled" ? (
				<div>
					<Badge kind="disabled">Disabled</Badge>{" "}
					<small>
						{endpoint.disabled_cause ? CAUSE_WORDS[endpoint.disabled_cause] : (endpoint.disabled_reason ?? "")}
						{endpoint.disabled_at && (
							<>
								{" "}
								· <Time at={endpoint.disabled_at} />
							</>
						)}
					</small>
				</div>
			) : health.status === "failing" ? (
				<div>
					<Badge kind="failing">Failing</Badge>{" "}
					<small>
						since <Time at={health.failing_since} /> ({health.consecutive_failures} in a row)
					</small>
					{health.last_error_kind && (
						<div>
							<Result outcome={{ error: health.last_error, error_kind: health.last_error_kind }} url={endpoint.url} />
						</div>
					)}
				</div>
			) : (
				<Badge kind="working">Working</Badge>
			)}
			{endpoint.delivery_state.state !== "healthy" && <DeliveryStateSummary state={endpoint.delivery_state} />}
		</div>
	);
}
