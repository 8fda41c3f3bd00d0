// The generated reference pages under docs/reference/: each page's file and the function that
// renders it from the code. `npx projen docs` writes them all (projenrc/reference/write.ts);
// test/reference/reference.test.ts renders each in memory and compares it with the committed file.
import { renderCli } from './cli';
import { renderExitCodes } from './exit-codes';
import { renderIam } from './iam';
import { generatedMarker, page, table } from './markdown';
import { renderOptions } from './options';
import { renderTasks } from './tasks';
import { renderCatalogue } from '../../test/catalogue/render';

/** One generated page. */
export interface ReferencePage {
  /** Path from the repository root. */
  readonly file: string;
  readonly title: string;
  /** What it is generated from, for the index. */
  readonly source: string;
  readonly render: () => string;
}

export const REFERENCE_DIR = 'docs/reference';

/** A page by its file name in docs/reference/. */
interface PageSpec extends Omit<ReferencePage, 'file'> {
  readonly name: string;
}

const PAGES: PageSpec[] = [
  { name: 'options.md', title: 'Options', source: 'the TSDoc of the option types (`BatchformOptions`, `StageOptions`, `BatchOptions`, ...)', render: () => renderOptions() },
  { name: 'cli.md', title: 'The batchform CLI', source: 'the command definitions in src/cli', render: () => renderCli() },
  { name: 'tasks.md', title: 'Tasks', source: 'the tasks the `Batchform` component adds to a project', render: () => renderTasks() },
  { name: 'exit-codes.md', title: 'Exit codes', source: 'the exit-code table in src/cli/exit-codes.ts', render: () => renderExitCodes() },
  { name: 'iam.md', title: 'IAM policies', source: 'the policy builders in src/bootstrap', render: () => renderIam() },
  { name: 'bad-declarations.md', title: 'Rejected declarations', source: 'the tested catalogue in test/catalogue/cases.ts', render: () => renderCatalogue() },
];

/** The index of the reference pages (docs/reference/README.md). */
export function renderIndex(pages: readonly { name: string; title: string; source: string }[] = PAGES): string {
  return page([
    '# Reference',
    '',
    generatedMarker('projenrc/reference/pages.ts'),
    '',
    'Every page here is generated from batchform\'s code by `npx projen docs`, and a test',
    '(test/reference/reference.test.ts) fails when the code changes and a page does not. Do not edit them by hand:',
    'change the code (or its TSDoc) and run `npx projen docs`.',
    '',
    ...table(['Page', 'Generated from'], pages.map((p) => [`[${p.title}](${p.name})`, p.source])),
  ]);
}

/** Every generated page, the index included. */
export function referencePages(): ReferencePage[] {
  return [
    { file: `${REFERENCE_DIR}/README.md`, title: 'Reference', source: 'the list of pages', render: () => renderIndex() },
    ...PAGES.map(({ name, ...p }) => ({ ...p, file: `${REFERENCE_DIR}/${name}` })),
  ];
}
