// How often and how long the deploy polls AWS (passed to the SDK's waiters, which back off between polls), and when it stops because AWS cannot be reached.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { endpointOf, isNetworkError, NO_ANSWER_CODE, UnreachableError } from './faults';

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
  /**
   * Seconds of wall clock without any answer from AWS after which a wait ends with "cannot reach
   * AWS", whatever the SDK retries inside (a hung proxy accepts connections and never answers; each
   * poll's request timeout times the SDK's attempts would otherwise add up to half an hour). Any
   * answer, even an error, starts the count again. Fractions are allowed (tests use milliseconds).
   * @default 180 (3 minutes; {@link NO_ANSWER_SECONDS})
   * @example { noAnswer: 60 } // fail faster behind a flaky proxy
   */
  readonly noAnswer?: number;
  /**
   * Seconds between two "still waiting" progress lines of a long wait, so a CI log does not look hung.
   * @default 60
   */
  readonly progressEvery?: number;
}

/** {@link DeployWaits} with every field filled in. */
export interface ResolvedWaits {
  readonly changeSet: WaitTiming;
  readonly stack: WaitTiming;
  readonly networkFailures: number;
  readonly noAnswer: number;
  readonly progressEvery: number;
}

/**
 * The one bounded-time rule: no answer from AWS for this many seconds of wall clock ends a call
 * (the SDK's retries included, see `clientConfig`) or a wait (see {@link runWaiter}) with "cannot reach AWS".
 */
export const NO_ANSWER_SECONDS = 180;

/** Defaults: a change set takes seconds; deleting a VPC function's network interfaces can take over 20 minutes. */
export const DEFAULT_WAITS: ResolvedWaits = {
  changeSet: { minDelay: 2, maxDelay: 10, maxWaitTime: 600 },
  stack: { minDelay: 5, maxDelay: 30, maxWaitTime: 3600 },
  networkFailures: 3,
  noAnswer: NO_ANSWER_SECONDS,
  progressEvery: 60,
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
  const seconds = (name: 'noAnswer' | 'progressEvery'): number => {
    const v = waits[name] ?? DEFAULT_WAITS[name];
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`waits.${name} must be a positive number of seconds, got ${v}`);
    return v;
  };
  return { changeSet: resolve('changeSet'), stack: resolve('stack'), networkFailures, noAnswer: seconds('noAnswer'), progressEvery: seconds('progressEvery') };
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

/** The rules every wait follows besides its timing (see {@link ResolvedWaits}), and where its progress lines go. */
export interface WaitRules {
  readonly networkFailures: number;
  readonly noAnswer: number;
  readonly progressEvery: number;
  /** Progress lines ("still waiting for ..."); none when absent. */
  readonly log?: (message: string) => void;
}

/** The error a call or wait ends with after `seconds` of wall clock without an answer (a network error: see `isNetworkError`). */
export function noAnswerError(seconds: number): Error {
  return Object.assign(new Error(`no answer for ${formatSeconds(seconds)} of wall clock, the SDK's retries included`), { name: 'TimeoutError', code: NO_ANSWER_CODE });
}

/**
 * An AWS answer the SDK waiters would poll on until `maxWaitTime` although it cannot change: a
 * 4xx that is not throttling (a deleted change set, access denied). `ValidationError` is left to
 * the waiters, which read it themselves (a deleted stack).
 */
export function isFinalAnswer(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = err?.$metadata?.httpStatusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500 || status === 429) return false;
  return err?.name !== 'ValidationError' && !/Throttl|TooManyRequests|RequestLimitExceeded|RateExceeded|RequestTimeout/i.test(err?.name ?? '');
}

/**
 * Runs an SDK waiter under the bounded-time rules: it stops once `rules.networkFailures` polls in a
 * row got no answer from AWS, or once AWS gave no answer at all for `rules.noAnswer` seconds of wall
 * clock (the poll in flight is aborted), whatever the SDK retries inside; the SDK waiters treat
 * any error as "try again" and would poll an unreachable endpoint until `maxWaitTime` (up to an
 * hour), then report a timeout as if AWS were still busy. An AWS answer that cannot change
 * ({@link isFinalAnswer}: a deleted change set, access denied) ends the wait at once with that
 * error. Every `rules.progressEvery` seconds a "still waiting" line goes to `rules.log`.
 *
 * @param step what is being waited for, for the message ("waiting for change set X of stack Y").
 * @throws UnreachableError naming the endpoint and the step; the final answer; the waiter's own errors otherwise.
 */
export async function runWaiter<I>(
  waiter: CloudFormationWaiter<I>,
  client: CloudFormationClient,
  timing: WaitTiming,
  rules: WaitRules,
  step: string,
  input: I,
): Promise<void> {
  const abortController = new AbortController();
  const started = Date.now();
  let failures = 0;
  let unreachable: { error: unknown; tries: string } | undefined;
  let final: { error: unknown } | undefined;
  let silence: ReturnType<typeof setTimeout> | undefined;
  const stopSilence = () => clearTimeout(silence);
  // No answer for noAnswer seconds (since the start or the last answer) ends the wait, aborting the poll in flight.
  const armSilence = () => {
    stopSilence();
    silence = setTimeout(() => {
      unreachable ??= { error: noAnswerError(rules.noAnswer), tries: `no answer for ${formatSeconds(rules.noAnswer)}, the SDK's retries included` };
      abortController.abort();
    }, rules.noAnswer * 1000);
  };
  const progress = rules.log
    ? setInterval(() => rules.log!(`still ${step} (${formatSeconds((Date.now() - started) / 1000)} so far)`), rules.progressEvery * 1000)
    : undefined;
  armSilence();
  // The waiter sees the same client with a send that watches every poll.
  const watched = Object.create(client) as CloudFormationClient;
  watched.send = (async (command: Parameters<CloudFormationClient['send']>[0]) => {
    try {
      const out = await client.send(command, { abortSignal: abortController.signal });
      failures = 0;
      armSilence();
      return out;
    } catch (e) {
      if (!isNetworkError(e)) {
        failures = 0;
        if (!abortController.signal.aborted) armSilence();
        if (isFinalAnswer(e)) {
          final ??= { error: e };
          abortController.abort();
        }
        throw e;
      }
      if (++failures >= rules.networkFailures) {
        unreachable ??= { error: e, tries: `${failures} polls in a row, each retried by the SDK` };
        abortController.abort();
      }
      throw e;
    }
  }) as CloudFormationClient['send'];
  const settle = async (): Promise<void> => {
    if (final) throw final.error;
    if (unreachable) throw new UnreachableError(await endpointOf(client, 'cloudformation'), step, unreachable.error, unreachable.tries);
  };
  try {
    await waiter({ client: watched, ...timing, abortController }, input);
  } catch (e) {
    await settle();
    throw e;
  } finally {
    stopSilence();
    clearInterval(progress);
  }
  await settle();
}
