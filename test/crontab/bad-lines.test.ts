// The catalogue of crontab lines import-crontab refuses: each case's exact reason, and the guide's table rendered from them.
import * as fs from 'fs';
import * as path from 'path';
import { BAD_LINES, renderBadLines } from './bad-lines';
import { renderImport } from '../../src/cli/import-crontab';
import { importCrontab } from '../../src/model/crontab';

const GUIDE = path.join(__dirname, '../../docs/guides/migrate-from-crontab.md');
const [BEGIN, END] = ['<!-- refused-lines:begin (generated from test/crontab/bad-lines.ts) -->', '<!-- refused-lines:end -->'];

describe.each(BAD_LINES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
  test('is refused with its reason, and nothing else in the file is', () => {
    const result = importCrontab(c.crontab, { system: c.system });
    const last = c.crontab.split('\n').length;
    expect(result.refused).toEqual([{ line: last, text: c.crontab.split('\n')[last - 1], reason: c.reason }]);
    expect(result.batches).toEqual([]);
  });
});

test('the guide\'s table of refused lines is current', () => {
  const guide = fs.readFileSync(GUIDE, 'utf8');
  const block = guide.slice(guide.indexOf(BEGIN) + BEGIN.length, guide.indexOf(END)).trim();
  // On a difference: paste renderBadLines()'s output between the markers in docs/guides/migrate-from-crontab.md.
  expect(block).toBe(renderBadLines());
});

test('the guide\'s example output is what the import prints for its example crontab', () => {
  const guide = fs.readFileSync(GUIDE, 'utf8');
  const input = /For a line such as\n\n```\n([\s\S]*?)```/.exec(guide)![1];
  const shown = /it prints\n\n(?:<!--[^\n]*-->\n)*```ts\n([\s\S]*?)```/.exec(guide)![1];
  const printed = renderImport(importCrontab(input), { file: 'crontab.txt' });
  expect(printed.slice(printed.indexOf('export const crontabBatches'), printed.indexOf('];\n') + 3)).toBe(shown);
});
