/** What every route knows: the Worker's bindings, the request's id, the account it acts on, and what its surface adds. */
import type { AccountVariables } from "./accountScope";
import type { RequestIdVariables } from "./requestId";

export interface RouteEnv<Variables extends object = object> {
	Bindings: Env;
	Variables: RequestIdVariables & AccountVariables & Variables;
}
