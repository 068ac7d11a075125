/**
 * The banner on every page of an account while an endpoint fails: which,
 * since when, the last error, and the button that resends everything since
 * then ("Resend everything since …", which asks first with the count, and
 * enables an endpoint Hivepost disabled).
 */
import type { FailingEndpoint } from "../../endpoints/endpointHealth";
import { ActionButton, Time } from "./components";

export function FailingBanner({ failing, base }: { failing: { endpoints: FailingEndpoint[]; readOnly: boolean }; base: string }) {
	if (!failing.endpoints.length) return null;
	return (
		<section class="warning" aria-label="Failing endpoints">
			{failing.endpoints.map((endpoint) => (
				<div class="row">
					<p>
						<a href={`${base}/endpoints/${endpoint.id}`} class="url">
							{endpoint.url}
						</a>
						: failing since <Time at={endpoint.failingSince} />, last error {endpoint.lastError ?? "unknown"}.
					</p>
					{!failing.readOnly && endpoint.failingSince !== null && (
						<ActionButton
							action={`${base}/endpoints/${endpoint.id}/resend#resend`}
							label="Resend everything since then"
							name={`Resend everything since then to ${endpoint.url}`}
							fields={{ since: new Date(endpoint.failingSince).toISOString(), streak: "yes" }}
						/>
					)}
				</div>
			))}
		</section>
	);
}
