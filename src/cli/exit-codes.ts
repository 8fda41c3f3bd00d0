// The CLI's exit codes: one per error kind, the same in every command, and the one-line message each failure prints.
import { CommanderError } from 'commander';
import { BatchformError, ErrorKind, errorKindOf } from '../errors/batchform-error';

/** What a command's exit code can say: it succeeded, one of the error kinds, or an error batchform did not expect. */
export type ExitOutcome = 'ok' | ErrorKind | 'unexpected';

/**
 * The exit code of every outcome, for every command (`npx batchform ...`; the projen task runner
 * turns every non-zero code into 1). The README's "Exit codes" table is {@link EXIT_CODE_TABLE}.
 */
export const EXIT_CODES: Readonly<Record<ExitOutcome, number>> = {
  'ok': 0,
  'run-failed': 1,
  'unexpected': 1,
  'bad-input': 2,
  'unreachable': 3,
  'aws': 4,
  'integrity': 5,
};

/** One row of the exit-code table: the code, the outcome, what it means and an example. */
export interface ExitCodeRow {
  readonly code: number;
  readonly kind: ExitOutcome;
  readonly meaning: string;
  readonly example: string;
}

/** The exit codes in words, in code order; the README's table is exactly this (a test compares them). */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  {
    code: EXIT_CODES.ok,
    kind: 'ok',
    meaning: 'done: every stack succeeded (created, updated, previewed or unchanged), every run succeeded, every check passed',
    example: '`batchform deploy --stage prod` with nothing to change',
  },
  {
    code: EXIT_CODES['run-failed'],
    kind: 'run-failed',
    meaning: 'the work ran and failed: a stack, a run, a status read or a check; the report says why and what to do',
    example: 'a change set\'s execution rolled back; `batchform run --wait` of a run that throws',
  },
  {
    code: EXIT_CODES.unexpected,
    kind: 'unexpected',
    meaning: 'an error batchform did not expect (a bug): its message is printed; please report it',
    example: 'a `TypeError` inside batchform, printed in one line as `batchform <command>: <message>`',
  },
  {
    code: EXIT_CODES['bad-input'],
    kind: 'bad-input',
    meaning: 'bad input; nothing was sent: an unknown command or option, a bad option value, an unknown stage or batch, ' +
      'a missing or stale manifest, bundles file, template or zip, a template that is not the one recorded in cfn-out/template-hashes.json, ' +
      'credentials for another account than the stage\'s; ' +
      'or a deploy that would delete the stacks of removed batches without `--allow-removal` (nothing changed)',
    example: '`batchform schedule -n 0`, `batchform deploy --concurrency 0`, `batchform status --stage qa`',
  },
  {
    code: EXIT_CODES.unreachable,
    kind: 'unreachable',
    meaning: 'AWS or GitHub could not be reached (no answer; GitHub\'s 5xx or rate limit): nothing is known, run again later',
    example: '`cannot reach AWS: https://cloudformation.eu-west-1.amazonaws.com did not answer while ...`',
  },
  {
    code: EXIT_CODES.aws,
    kind: 'aws',
    meaning: 'AWS answered with an error before any work was done: no or expired credentials, access denied, ' +
      'throttling after the SDK\'s retries, a missing artifact bucket, not enough Lambda concurrency',
    example: '`could not list the CloudFormation stacks ... (AWS ExpiredToken: ...)`',
  },
  {
    code: EXIT_CODES.integrity,
    kind: 'integrity',
    meaning: 'an object under batchform\'s content-addressed S3 key is not what batchform wrote; the stack was not deployed',
    example: '`s3://.../daily-stats/7dc9....zip already exists but its stored SHA-256 checksum is ...`',
  },
];

/** The exit codes in one line, for every command's `--help`. */
export const EXIT_HELP = 'Exit codes: 0 done; 1 a stack, run or check failed; 2 bad input (nothing was sent); 3 AWS or GitHub could not be reached; ' +
  '4 AWS answered with an error (credentials, access, throttling) before any work; 5 an S3 object is not what batchform wrote.';

/** What an error is: its kind, a usage error from the argument parser (bad input), or unexpected. */
export function outcomeOf(e: unknown): Exclude<ExitOutcome, 'ok'> {
  if (e instanceof CommanderError) return 'bad-input';
  return errorKindOf(e) ?? 'unexpected';
}

/** The exit code for an error (see {@link EXIT_CODES}); 0 for the parser's help and version "errors". */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError && e.exitCode === 0) return EXIT_CODES.ok;
  return EXIT_CODES[outcomeOf(e)];
}

/**
 * An error in one line (a few for several problems), never a stack: batchform's own message; an
 * AWS answer as `AWS <Code>: <message>` (the code is what to search for); anything else its message.
 */
export function describeFailure(e: unknown): string {
  if (BatchformError.is(e)) return e.message;
  const err = e as { name?: string; message?: string; code?: string } | undefined;
  if (errorKindOf(e) === 'aws') return `AWS ${err?.name ?? 'error'}: ${err?.message ?? ''}`;
  if (err?.code && err.message && !err.message.includes(err.code)) return `${err.code}: ${err.message}`;
  return err?.message ?? String(e);
}

/** Prints `batchform <command>: <the failure>` and returns its exit code. */
export function reportFailure(command: string, err: (text: string) => void, e: unknown): number {
  err(`batchform ${command}: ${describeFailure(e)}`);
  return exitCodeFor(e);
}

/** A bad-input error: exit 2 with `message` (say what is wrong, where, and how to fix it). */
export function badInput(message: string, options: { readonly cause?: unknown; readonly field?: string } = {}): BatchformError {
  return new BatchformError('bad-input', message, { cause: options.cause, where: options.field ? { field: options.field } : undefined });
}
