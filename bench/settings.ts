/**
 * The benchmark's settings, full run or `--quick`: the sizes of each run, the
 * scenarios' rates and waits, and the stack's settings (bench/README.md says
 * why each is what it is). Every other module of the bench reads them here.
 */
import { randomBytes } from "node:crypto";

export const quick = process.argv.includes("--quick");
/** `-- --only=fairness`: the fair-share scenarios alone (after the warm-up), printed but not written: for iterating on them. */
export const onlyFairness = process.argv.includes("--only=fairness");
/** With `--only=fairness`, `--results-file=<path>`: write the results there as JSON instead (how the full run takes them). */
export const resultsFile = process.argv.find((arg) => arg.startsWith("--results-file="))?.slice("--results-file=".length);
/** `-- --only=storage`: the storage scenario alone (after the warm-up), printed but not written. */
export const onlyStorage = process.argv.includes("--only=storage");
/** `-- --only=move`: the move scenario alone, printed but not written. */
export const onlyMove = process.argv.includes("--only=move");

/** Sizes chosen so the full run stays well under 10 minutes on a 2-core machine (bench/README.md). */
export const SIZES = quick
	? { deliveriesPerN: 400, rounds: 2, latencyEvents: 40, failureEvents: 30 }
	: { deliveriesPerN: 12000, rounds: 5, latencyEvents: 300, failureEvents: 200 };
export const FANOUTS = [1, 10, 100];
/** How often a full run runs the fair-share scenarios, each time in a process of its own (report/fairnessRuns.ts). */
export const FAIRNESS_RUNS = quick ? 1 : 3;
/** The storage scenario (bench/README.md, "Storage"): events per set, each to TARGET_N endpoints. */
export const STORAGE = { events: quick ? 100 : 300 };
/** Bytes per event of the layout before issue 17's storage work, measured by the same scenario (bench/README.md, "Storage"). */
export const STORAGE_BEFORE = { supportbee: 8137, tickets: 9380 };
/** Requests in flight at all times during the throughput blocks. */
export const CONCURRENCY = 16;
/** Latency and failure runs fan out to this many endpoints (the N the targets are stated at). */
export const TARGET_N = 10;
/** Events per second in the latency run, well below saturation (see the measured throughput at N = 10). */
export const LATENCY_RATE = 10;
export const FAIL_RATE = 0.1;
/**
 * The isolation scenario (bench/README.md, "Isolation scenario"): runs of `seconds`
 * at `rate` events/s; latencies are summed up over the events sent `measureAfterMs`
 * or more after the second endpoint was added.
 */
export const ISOLATION = {
	rate: 10,
	...(quick ? { seconds: 6, measureAfterMs: 3000 } : { seconds: 15, measureAfterMs: 5000 }),
	/** The slow endpoint answers 200 this long after a request arrives: within DELIVERY_TIMEOUT_MS, so it succeeds, slowly. */
	slowReplyMs: 2500,
	/** After a run's last event, how long the healthy deliveries still missing may take to arrive. */
	waitMs: 90_000,
	/** Targets: p99 under this over the measured events, and no healthy delivery slower than 2 × DELIVERY_TIMEOUT_MS. */
	p99TargetMs: 1000,
};
/**
 * The fair-share scenarios (bench/README.md, "Fair share"), as issue 15 states them: quiet accounts send `quietRate`
 * events/s to one endpoint, a medium account `mediumRate` events/s to `mediumEndpoints` endpoints, and a bursting
 * account as many events as the stack accepts (a closed loop of CONCURRENCY requests) for `burstSeconds` to
 * `burstEndpoints` endpoints; the tarpit account sends `tarpitEvents` events to `tarpitEndpoints` endpoints that never
 * answer, beside an account whose endpoint fails each first attempt, sending `quietRate` events/s for `retrySeconds`.
 */
export const FAIRNESS = {
	quietAccounts: 2,
	quietRate: 5,
	mediumRate: 5,
	mediumEndpoints: 10,
	burstEndpoints: 10,
	tarpitEndpoints: 3,
	tarpitEvents: 200,
	...(quick ? { baselineSeconds: 3, burstSeconds: 3, retrySeconds: 8 } : { baselineSeconds: 5, burstSeconds: 10, retrySeconds: 20 }),
	/** A receiver too slow for its account's volume: the account sends steadyRate events/s (within the fair rate) for slowSeconds to one endpoint answering in steadyReplyMs. */
	steadyRate: 30,
	steadyReplyMs: 250,
	slowSeconds: quick ? 8 : 20,
	/** After a burst, how long its backlog may take to drain before the scenario stops waiting. */
	drainWaitMs: 180_000,
	/** After the steady accounts' last event, how long their deliveries (or retries) still missing may take to arrive. */
	waitMs: 60_000,
	/** Targets: first attempts of the other accounts, and how late a retry may come after its due time. */
	p99TargetMs: 1000,
	retryLateTargetMs: 10_000,
	/** Alone, the bursting account keeps this share of the burst throughput committed before fair share (BEFORE_FAIR_SHARE)… */
	aloneShareOfBefore: 0.9,
	/** …and beside the others at least this share of what it gets alone. */
	besideShareOfAlone: 0.5,
	/** Two bursts at once: each drains at least this share of what both drain while both have deliveries waiting. */
	twoBurstsMinShare: 1 / 3,
};
/** The committed run before fair share (bench/results/<it>.json): its burst throughput is what the bursting account alone is held to. */
export const BEFORE_FAIR_SHARE = "2026-11-29";
/**
 * The move scenario (bench/README.md, "Moving an account"): an account of `events` events (one endpoint each) moved
 * from DB to DB_1 while it sends `rate` events a second, on a stack of its own that binds both.
 */
export const MOVE = { events: quick ? 1000 : 10_000, rate: 20, databases: 2 };
/** "Nothing in flight": no delivery pending or retrying, and no attempt, consumer batch or retry alarm for this long (2 retry intervals). */
export const QUIET_MS = 2000;
/** The stack's settings, written to the env file it starts with (so .dev.vars is never read). */
export const SETTINGS = {
	ADMIN_TOKEN: randomBytes(18).toString("base64url"),
	INGEST_TOKEN: randomBytes(18).toString("base64url"),
	RETRY_INTERVAL_SECONDS: "1",
	MAX_RETRIES: "3",
	// The isolation scenario's setting (its targets are stated for 3000); nothing else depends on it, as the sink answers at once.
	DELIVERY_TIMEOUT_MS: "3000",
	// The sweep never runs here (no cron locally); a long threshold documents that it would not interfere.
	STRANDED_AFTER_SECONDS: "600",
	RETENTION_DAYS: "30",
	HTTPS_ONLY: "false",
	ALLOW_PRIVATE_DESTINATIONS: "true",
	PUBLIC_ORIGINS: "",
};
/** The bench build's wrangler config, relative to the project root. */
export const CONFIG = "bench/wrangler.toml";

/** Events per block of a throughput round at fan-out `n`: the same number of deliveries at every N. */
export const eventsPerBlock = (n: number) => Math.max(1, Math.round(SIZES.deliveriesPerN / n / SIZES.rounds));
export const isolationEvents = ISOLATION.seconds * ISOLATION.rate;
/** The fair-share scenarios' steady events known ahead: the quiet and medium accounts' before and during the burst, the retrier's, and those beside the slow receiver. */
export const fairnessPlannedEvents =
	(FAIRNESS.quietAccounts * FAIRNESS.quietRate + FAIRNESS.mediumRate) * (FAIRNESS.baselineSeconds + FAIRNESS.burstSeconds) +
	FAIRNESS.quietRate * FAIRNESS.retrySeconds +
	(FAIRNESS.steadyRate + FAIRNESS.quietAccounts * FAIRNESS.quietRate) * FAIRNESS.slowSeconds;
