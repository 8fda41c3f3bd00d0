// The one error type batchform throws on purpose: its kind says what went wrong (and so the CLI's exit code), its message what to do.

/**
 * What kind of failure an error is; the CLI maps each kind to one exit code (`src/cli/exit-codes.ts`).
 *
 * - `bad-input`: what the user gave is wrong (an option, a declaration, a missing or stale file,
 *   credentials for another account); nothing was sent. Fix the input and run again.
 * - `run-failed`: the work ran and failed: a stack's change set or execution, a batch's run, a check.
 * - `unreachable`: AWS or GitHub could not be reached (no answer, or GitHub's 5xx or rate limit);
 *   nothing is known about the state. Run again once the network is back.
 * - `aws`: AWS answered with an error before any work was done (no or expired credentials, access
 *   denied, throttling after the SDK's retries, a missing artifact bucket, the concurrency quota).
 * - `integrity`: an object under batchform's content-addressed key is not what batchform wrote.
 */
export const ERROR_KINDS = ['bad-input', 'run-failed', 'unreachable', 'aws', 'integrity'] as const;

/** One of {@link ERROR_KINDS}. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Where an error is: the stage, batch, stack and field it names (each when known). */
export interface ErrorWhere {
  readonly stage?: string;
  readonly batch?: string;
  readonly stack?: string;
  readonly field?: string;
}

/** Options of {@link BatchformError}. */
export interface BatchformErrorOptions {
  /** The error this one explains (an SDK error, a parse error); kept as ES2022 `cause`, never reworded. */
  readonly cause?: unknown;
  /** Where the error is. */
  readonly where?: ErrorWhere;
}

/** Marks batchform's errors across copies of this module (a bundled CLI and the installed library). */
const BATCHFORM_ERROR = Symbol.for('batchform.BatchformError');

/**
 * An error batchform expects: a {@link ErrorKind}, a message saying what is wrong, where and how to
 * fix it (a few lines, never a stack), the `cause` it explains, and optionally `where`.
 *
 * @example
 * throw new BatchformError('bad-input', '--count "0" is not a positive whole number; use e.g. --count 5.', { where: { field: '--count' } });
 */
export class BatchformError extends Error {
  /** Whether `e` is a {@link BatchformError}, from this copy of the module or another one. */
  static is(e: unknown): e is BatchformError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BATCHFORM_ERROR] === true;
  }

  readonly kind: ErrorKind;
  readonly where?: ErrorWhere;

  constructor(kind: ErrorKind, message: string, options: BatchformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BatchformError';
    this.kind = kind;
    if (options.where) this.where = options.where;
    Object.defineProperty(this, BATCHFORM_ERROR, { value: true });
  }
}

/**
 * The kind of any error: a {@link BatchformError}'s own; `aws` for an AWS service's answer (an SDK
 * error with an HTTP status); `undefined` for anything else (an error batchform did not expect).
 */
export function errorKindOf(e: unknown): ErrorKind | undefined {
  if (BatchformError.is(e)) return e.kind;
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? 'aws' : undefined;
}
