/**
 * The built-in account every single-account installation uses: created by the
 * migration that introduced accounts, never deleted. `POST /events`, `/api/…`
 * and `/admin` act on it.
 */
export const DEFAULT_ACCOUNT_ID = "acc_default";
export const DEFAULT_ACCOUNT_UID = "default";

export function isDefaultAccount(account: { id: string }): boolean {
	return account.id === DEFAULT_ACCOUNT_ID;
}
