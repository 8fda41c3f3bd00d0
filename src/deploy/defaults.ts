// Defaults of the deploy engine that the CLI shows before it loads the engine (no AWS SDK here).

/** Stacks handled at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

/** Seconds to wait for each stack's drift detection, and between its polls, unless told otherwise. */
export const DRIFT_DETECTION_DEFAULTS = { maxWaitTime: 60, pollInterval: 3 } as const;
