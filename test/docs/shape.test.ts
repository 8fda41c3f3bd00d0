// The shape of the documentation: a README a newcomer finishes in minutes, and guides that state
// no benchmark figures (those live in bench/RESULTS.md, written by the benchmark itself).
import * as fs from 'fs';
import * as path from 'path';
import { markdownUnder, ROOT } from './doc-files';


test('the README is at most 300 lines', () => {
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
});

/** Benchmark figures: a ratio such as 0.12×, or a timing next to a benchmark word. */
export function benchmarkFigures(text: string): string[] {
  return text.split('\n').filter((l) => /\d(\.\d+)?×/.test(l) || (/\bbench(mark)?\b/i.test(l) && /\d+(\.\d+)? ?(ms|s|min)\b/.test(l)));
}

test('docs/ states no benchmark figures', () => {
  const found = markdownUnder('docs').flatMap((f) => benchmarkFigures(fs.readFileSync(path.join(ROOT, f), 'utf8')).map((l) => `${f}: ${l}`));
  expect(found).toEqual([]);
  expect(benchmarkFigures('regenerates in 0.12× cdk synth')).toHaveLength(1);
  expect(benchmarkFigures('the benchmark: 2.4 s per batch')).toHaveLength(1);
  expect(benchmarkFigures('a timeout of 900 s')).toHaveLength(0);
});
