// Declaration problems on GitHub: annotations at the field's line in .projenrc.ts, the job summary, the problems file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { escapeData, escapeProperty, locateProblem, problemAnnotations, reportProblemsToGitHub } from '../../src/projen/annotations';
import type { Problem } from '../../src/validate/problem';

const ROOT = path.resolve(__dirname, '../..');
const PROJENRC = fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8');
const lineOf = (text: string, needle: string, after = 0): number => text.split('\n').findIndex((l, i) => i >= after && l.includes(needle)) + 1;

const TIMEOUT: Problem = { subject: 'batch "weekly-report"', field: 'timeout', message: 'timeout 901 is over 900 seconds.', fix: 'use at most 900, or durable: {} for longer runs.' };

describe('where a problem is in .projenrc.ts', () => {
  test('the field inside the object that names the batch, not the same field of another batch', () => {
    const weekly = lineOf(PROJENRC, "name: 'weekly-report'");
    expect(locateProblem(PROJENRC, { subject: 'batch "weekly-report"', field: 'schedule' })).toBe(lineOf(PROJENRC, 'schedule:', weekly));
    expect(locateProblem(PROJENRC, { subject: 'batch "daily-stats"', field: 'timeout' })).toBe(lineOf(PROJENRC, 'timeout: 300'));
  });

  test('the batch\'s name when the field is not written there (a default, or spread in from a constant); nested fields by their last key', () => {
    const weekly = lineOf(PROJENRC, "name: 'weekly-report'");
    expect(locateProblem(PROJENRC, TIMEOUT)).toBe(weekly);
    const monthly = lineOf(PROJENRC, "name: 'monthly-recompute'");
    expect(locateProblem(PROJENRC, { subject: 'batch "monthly-recompute"', field: 'durable.executionTimeout' })).toBe(lineOf(PROJENRC, 'durable:', monthly));
    expect(locateProblem(PROJENRC, { subject: 'stage "prod"', field: 'region' })).toBe(lineOf(PROJENRC, "region: 'ap-northeast-2'"));
  });

  test('no line for a declaration built by code, or a subject that is not a batch or stage', () => {
    expect(locateProblem("batches: names.map((name) => ({ name, schedule: 'rate(1 day)' }))", { subject: 'batch "a"', field: 'schedule' })).toBeUndefined();
    expect(locateProblem(PROJENRC, { subject: 'the declarations', field: 'batches' })).toBeUndefined();
  });
});

describe('workflow commands', () => {
  test('messages and properties are escaped as the runner unescapes them', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('batch "a", field "b": c')).toBe('batch "a"%2C field "b"%3A c');
  });

  test('one ::error per problem with the file, the line when known, and a title naming the batch and field', () => {
    expect(problemAnnotations([
      { ...TIMEOUT, text: '', file: '.projenrc.ts', line: 12 },
      { ...TIMEOUT, subject: 'batch "b"', text: '', file: '.projenrc.ts' },
    ])).toEqual([
      '::error file=.projenrc.ts,line=12,title=batchform%3A batch "weekly-report"%2C field "timeout"::timeout 901 is over 900 seconds. Fix: use at most 900, or durable: {} for longer runs.',
      '::error file=.projenrc.ts,title=batchform%3A batch "b"%2C field "timeout"::timeout 901 is over 900 seconds. Fix: use at most 900, or durable: {} for longer runs.',
    ]);
  });
});

describe('reporting to GitHub', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-annotations-'));
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), PROJENRC);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('in a GitHub Actions job: annotations on stdout, the table in the job summary, the problems as JSON for the preview comment', () => {
    const summary = path.join(dir, 'summary.md');
    const problemsFile = path.join(dir, 'problems.json');
    const out: string[] = [];
    reportProblemsToGitHub([TIMEOUT], dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, BATCHFORM_PROBLEMS_FILE: problemsFile }, (t) => out.push(t));
    const line = lineOf(PROJENRC, "name: 'weekly-report'");
    expect(out.join('')).toBe(`::error file=.projenrc.ts,line=${line},title=batchform%3A batch "weekly-report"%2C field "timeout"::timeout 901 is over 900 seconds. Fix: use at most 900, or durable: {} for longer runs.\n`);
    expect(fs.readFileSync(summary, 'utf8')).toContain(`| batch "weekly-report" (.projenrc.ts:${line}) | \`timeout\` | timeout 901 is over 900 seconds. | use at most 900, or durable: {} for longer runs. |`);
    expect(JSON.parse(fs.readFileSync(problemsFile, 'utf8'))).toEqual([{
      ...TIMEOUT,
      file: '.projenrc.ts',
      line,
      text: 'batch "weekly-report", field "timeout": timeout 901 is over 900 seconds. Fix: use at most 900, or durable: {} for longer runs.',
    }]);
  });

  test('outside GitHub Actions: nothing', () => {
    const out: string[] = [];
    reportProblemsToGitHub([TIMEOUT], dir, { GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') }, (t) => out.push(t));
    expect(out).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'summary.md'))).toBe(false);
  });
});
