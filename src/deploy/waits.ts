// How often and how long the deploy polls AWS (passed to the SDK's waiters, which back off between polls).

/** Polling bounds of one kind of wait, in seconds (the SDK waiters' units). */
export interface WaitTiming {
  /**
   * Shortest pause between two polls, in seconds; pauses grow exponentially (with jitter) to `maxDelay`.
   * Fractions are allowed (tests use milliseconds).
   */
  readonly minDelay: number;
  /** Longest pause between two polls, in seconds. */
  readonly maxDelay: number;
  /** Give up after this many seconds in total. */
  readonly maxWaitTime: number;
}

/** Bounds of the deploy's waits; any field left out keeps its default. */
export interface DeployWaits {
  /**
   * Waiting for a change set to be computed.
   * @default { minDelay: 2, maxDelay: 10, maxWaitTime: 600 }
   */
  readonly changeSet?: Partial<WaitTiming>;
  /**
   * Waiting for a stack operation to finish (an execution, a delete, or another run's operation).
   * @default { minDelay: 5, maxDelay: 30, maxWaitTime: 3600 }
   */
  readonly stack?: Partial<WaitTiming>;
}

/** {@link DeployWaits} with every field filled in. */
export interface ResolvedWaits {
  readonly changeSet: WaitTiming;
  readonly stack: WaitTiming;
}

/** Defaults: a change set takes seconds; deleting a VPC function's network interfaces can take over 20 minutes. */
export const DEFAULT_WAITS: ResolvedWaits = {
  changeSet: { minDelay: 2, maxDelay: 10, maxWaitTime: 600 },
  stack: { minDelay: 5, maxDelay: 30, maxWaitTime: 3600 },
};

/** Fills in defaults and checks the bounds the SDK waiters require. */
export function resolveWaits(waits: DeployWaits = {}): ResolvedWaits {
  const resolve = (kind: keyof ResolvedWaits): WaitTiming => {
    const t = { ...DEFAULT_WAITS[kind], ...waits[kind] };
    if (!(t.minDelay > 0) || !(t.maxDelay >= t.minDelay) || !(t.maxWaitTime > t.minDelay)) {
      throw new RangeError(`waits.${kind} needs 0 < minDelay <= maxDelay and maxWaitTime > minDelay (seconds), got ${JSON.stringify(t)}`);
    }
    return t;
  };
  return { changeSet: resolve('changeSet'), stack: resolve('stack') };
}

/** Whether `e` is an SDK waiter giving up at its `maxWaitTime`. */
export function isWaiterTimeout(e: unknown): boolean {
  return (e as { name?: string } | undefined)?.name === 'TimeoutError';
}

/** A duration in seconds as people say it: "200 ms", "45 s", "10 min", "1 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}
