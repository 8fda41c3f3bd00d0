// Problems found in declarations, and the one error that lists them all.
import { BatchformError } from '../errors/batchform-error';

/** One thing wrong with a declaration: where (subject + field), what, and how to fix it. */
export interface Problem {
  /** What the problem is in, as the user named it: `batch "daily-stats"`, `stage "prod"`. */
  readonly subject: string;
  /** The option at fault, e.g. `timeout`, `schedule`, `subnetIds`. */
  readonly field: string;
  /** What is wrong, quoting the offending value. */
  readonly message: string;
  /** What to write instead. */
  readonly fix: string;
}

/** A problem before the subject is known; rules return these and the runner adds the subject. */
export type Finding = Omit<Problem, 'subject'>;

/** Formats one problem as a single line. */
export function formatProblem(p: Problem): string {
  return `${p.subject}, field "${p.field}": ${p.message} Fix: ${p.fix}`;
}

/**
 * Thrown when any declaration is invalid; its message lists every problem at once, so a user
 * fixes them in one pass.
 */
export class BatchformValidationError extends BatchformError {
  constructor(public readonly problems: readonly Problem[]) {
    super(
      'bad-input',
      `batchform: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the batch declarations; nothing was written.\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'BatchformValidationError';
  }
}
