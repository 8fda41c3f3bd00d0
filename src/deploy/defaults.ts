// Defaults of the deploy engine that the CLI shows before it loads the engine (no AWS SDK here).

/** Stacks handled at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;
