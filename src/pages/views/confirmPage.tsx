/**
 * The step before anything destructive, without JavaScript: says exactly
 * what will happen and asks. Confirming re-posts the same form with
 * `confirm=yes`; cancelling goes back without changing anything.
 */
import type { Child } from "hono/jsx";
import { type Chrome, Layout } from "./layout";

const CONFIRMED = { confirm: "yes" } as const;

export interface Confirmation {
	heading: string;
	/** What will happen, in plain words (never a secret). */
	children: Child;
	/** Where the confirmed form posts, and the fields it carries (the input as typed). */
	action: string;
	fields: Record<string, string>;
	confirmLabel: string;
	cancelHref: string;
}

export function ConfirmPage({ chrome, confirmation }: { chrome: Chrome; confirmation: Confirmation }) {
	return (
		<Layout chrome={chrome}>
			<h1>{confirmation.heading}</h1>
			<section class="card confirm">
				{confirmation.children}
				<form method="post" action={confirmation.action} class="row">
					{Object.entries({ ...confirmation.fields, ...CONFIRMED }).map(([name, value]) => (
						<input type="hidden" name={name} value={value} />
					))}
					<button type="submit" class="danger">
						{confirmation.confirmLabel}
					</button>
					<a href={confirmation.cancelHref}>Cancel</a>
				</form>
			</section>
		</Layout>
	);
}
