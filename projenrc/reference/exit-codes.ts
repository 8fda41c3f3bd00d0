// docs/reference/exit-codes.md: the exit-code table of src/cli/exit-codes.ts.
import { generatedMarker, page, table } from './markdown';
import { EXIT_CODE_TABLE, EXIT_HELP, ExitCodeRow } from '../../src/cli/exit-codes';

/** The header of the exit-code table (test/cli/exit-codes.test.ts reads tables by it). */
export const EXIT_CODE_HEADER = ['Code', 'Kind', 'Meaning', 'Example'];

/** The Markdown page of the exit codes. */
export function renderExitCodes(rows: readonly ExitCodeRow[] = EXIT_CODE_TABLE, help: string = EXIT_HELP): string {
  return page([
    '# Exit codes',
    '',
    generatedMarker('EXIT_CODE_TABLE in src/cli/exit-codes.ts'),
    '',
    'Every `batchform` command exits with one of these codes, the same in every command; a failure prints',
    '`batchform <command>: <what went wrong>` in one line (a few for several problems), never a stack trace. Through a projen task (`npx projen deploy`),',
    'projen\'s task runner turns every non-zero code into 1: run `npx batchform <command>` when a script needs the code.',
    '',
    ...table(EXIT_CODE_HEADER, rows.map((r) => [String(r.code), `\`${r.kind}\``, r.meaning, r.example])),
    '',
    'What `--help` says of them:',
    '',
    `> ${help}`,
  ]);
}
