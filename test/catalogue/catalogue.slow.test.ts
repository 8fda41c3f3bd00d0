import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';
import { CASES } from './cases';
import { declarationsOf, problemLines } from './render';
import { Batchform } from '../../src/projen/batchform';

const ROOT = path.resolve(__dirname, '../..');

describe('the catalogue of rejected declarations', () => {
  test('has at least 40 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => JSON.stringify([c.batch, c.stage, c.otherStage]))).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.title, c] as const))('%s: exact message naming batch or stage, field and fix', (_t, c) => {
    expect(problemLines(c)).toEqual(c.expected);
    for (const line of c.expected) expect(line).toMatch(/^(batch|stage) "[^"]*", field "[^"]+": .+ Fix: .+/);
  });

  test.each(CASES.map((c) => [c.title, c] as const))('%s: npx projen fails and writes nothing', (_t, c) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-catalogue-'));
    try {
      fs.mkdirSync(path.join(dir, 'handlers'));
      fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), 'export const handler = async () => {};\n');
      const project = new Project({ name: 'catalogue', outdir: dir });
      new Batchform(project, declarationsOf(c));
      expect(() => project.synth()).toThrow(c.expected[0]);
      expect(fs.readdirSync(dir)).toEqual(['handlers']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a real .projenrc.ts run exits non-zero, prints the problem and writes nothing', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.catalogue-'));
    try {
      fs.mkdirSync(path.join(dir, 'handlers'));
      fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), 'export const handler = async () => {};\n');
      fs.writeFileSync(path.join(dir, '.projenrc.ts'), [
        "import { Project } from 'projen';",
        `import { Batchform } from ${JSON.stringify(path.join(ROOT, 'src'))};`,
        "const project = new Project({ name: 'x' });",
        "new Batchform(project, { stages: [{ name: 'prod', account: '111122223333', region: 'ap-northeast-2', artifactBucket: 'b-111122223333' }],",
        "  batches: [{ name: 'daily-stats', handler: 'handlers/daily-stats.ts', schedule: 'rate(1 minutes)' }] });",
        'project.synth();',
      ].join('\n'));
      // NODE_ENV=test (set by jest) would make projen synthesize into a temporary directory instead.
      const env = { ...process.env, NODE_ENV: undefined };
      const r = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['.projenrc.ts'], { cwd: dir, encoding: 'utf8', env });
      expect(r.status).toBe(1);
      // The problem list and nothing else: no source excerpt, stack trace or dump of the error.
      expect(r.stderr).toBe([
        'batchform: 1 problem in the batch declarations; nothing was written.',
        '  - batch "daily-stats", field "schedule": "rate(1 minutes)" uses the plural "minutes" with 1. Fix: use the singular for a value of 1: rate(1 minute)',
        '',
      ].join('\n'));
      expect(fs.readdirSync(dir).sort()).toEqual(['.projenrc.ts', 'handlers']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // docs/reference/bad-declarations.md is checked with the other reference pages: test/reference/reference.test.ts.
});
