// Defaults of the deploy engine that the CLI shows before it loads the engine (no AWS SDK here).

/**
 * Stacks handled at once unless told otherwise. Measured in the benchmark's simulated deploy
 * (bench/timeouts.ts): at 4, a first deploy of 100 stacks takes about 70 minutes and 200 about
 * 135; at 8, 37 and 69, with 3 calls throttled (and retried by the SDK) and none failed, also with
 * a quarter of the estimated API rates; 16 halves the time again but throttles four times as many
 * calls and adds load on the services CloudFormation calls for each resource (IAM, Lambda), which
 * the simulation does not model.
 */
export const DEFAULT_CONCURRENCY = 8;

/** Seconds to wait for each stack's drift detection, and between its polls, unless told otherwise. */
export const DRIFT_DETECTION_DEFAULTS = { maxWaitTime: 60, pollInterval: 3 } as const;
