// How often and how long the deploy polls AWS (passed to the SDK's waiters, which back off between polls), and when it stops because AWS cannot be reached.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { endpointOf, isNetworkError, UnreachableError } from './faults';

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
  /**
   * Polls in a row that get no answer from AWS (each already retried by the SDK) before a wait
   * stops with "cannot reach AWS" instead of polling on until `maxWaitTime`.
   * @default 3
   */
  readonly networkFailures?: number;
}

/** {@link DeployWaits} with every field filled in. */
export interface ResolvedWaits {
  readonly changeSet: WaitTiming;
  readonly stack: WaitTiming;
  readonly networkFailures: number;
}

/** Defaults: a change set takes seconds; deleting a VPC function's network interfaces can take over 20 minutes. */
export const DEFAULT_WAITS: ResolvedWaits = {
  changeSet: { minDelay: 2, maxDelay: 10, maxWaitTime: 600 },
  stack: { minDelay: 5, maxDelay: 30, maxWaitTime: 3600 },
  networkFailures: 3,
};

/** Fills in defaults and checks the bounds the SDK waiters require. */
export function resolveWaits(waits: DeployWaits = {}): ResolvedWaits {
  const resolve = (kind: 'changeSet' | 'stack'): WaitTiming => {
    const t = { ...DEFAULT_WAITS[kind], ...waits[kind] };
    if (!(t.minDelay > 0) || !(t.maxDelay >= t.minDelay) || !(t.maxWaitTime > t.minDelay)) {
      throw new RangeError(`waits.${kind} needs 0 < minDelay <= maxDelay and maxWaitTime > minDelay (seconds), got ${JSON.stringify(t)}`);
    }
    return t;
  };
  const networkFailures = waits.networkFailures ?? DEFAULT_WAITS.networkFailures;
  if (!Number.isInteger(networkFailures) || networkFailures < 1) {
    throw new RangeError(`waits.networkFailures must be a positive whole number, got ${networkFailures}`);
  }
  return { changeSet: resolve('changeSet'), stack: resolve('stack'), networkFailures };
}

/**
 * Whether `e` is an SDK waiter giving up at its `maxWaitTime` (AWS kept answering "in progress"),
 * not the HTTP handler's request timeout, which has the same name.
 */
export function isWaiterTimeout(e: unknown): boolean {
  const err = e as { name?: string; message?: string } | undefined;
  return err?.name === 'TimeoutError' && (err.message ?? '').includes('Waiter has timed out');
}

/** A duration in seconds as people say it: "200 ms", "45 s", "10 min", "1 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}

/** An SDK waiter of the CloudFormation client (`waitUntilStackUpdateComplete` and the like). */
export type CloudFormationWaiter<I> = (
  params: { client: CloudFormationClient; minDelay: number; maxDelay: number; maxWaitTime: number; abortController?: AbortController },
  input: I,
) => Promise<unknown>;

/**
 * Runs an SDK waiter, but stops it once `networkFailures` polls in a row got no answer from AWS:
 * the SDK waiters treat any error as "try again" and would poll an unreachable endpoint until
 * `maxWaitTime` (up to an hour), then report a timeout as if AWS were still busy.
 *
 * @param step what is being waited for, for the message ("waiting for change set X of stack Y").
 * @throws UnreachableError naming the endpoint and the step; the waiter's own errors otherwise.
 */
export async function runWaiter<I>(
  waiter: CloudFormationWaiter<I>,
  client: CloudFormationClient,
  timing: WaitTiming,
  networkFailures: number,
  step: string,
  input: I,
): Promise<void> {
  const abortController = new AbortController();
  let failures = 0;
  let unreachable: { error: unknown } | undefined;
  // The waiter sees the same client with a send that counts polls that never got an answer.
  const watched = Object.create(client) as CloudFormationClient;
  watched.send = (async (command: Parameters<CloudFormationClient['send']>[0]) => {
    try {
      const out = await client.send(command);
      failures = 0;
      return out;
    } catch (e) {
      if (!isNetworkError(e)) {
        failures = 0;
        throw e;
      }
      if (++failures >= networkFailures) {
        unreachable = { error: e };
        abortController.abort();
      }
      throw e;
    }
  }) as CloudFormationClient['send'];
  try {
    await waiter({ client: watched, ...timing, abortController }, input);
  } catch (e) {
    if (unreachable) {
      throw new UnreachableError(await endpointOf(client, 'cloudformation'), step, unreachable.error, `${failures} polls in a row, each retried by the SDK`);
    }
    throw e;
  }
  if (unreachable) throw new UnreachableError(await endpointOf(client, 'cloudformation'), step, unreachable.error, `${failures} polls in a row, each retried by the SDK`);
}
