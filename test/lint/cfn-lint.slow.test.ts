import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findTemplates, formatLintResult, hasCfnLint, lintTemplates } from '../../src/lint/cfn-lint';
import { batchTemplates } from '../../src/template/batch-template';
import { stageTemplate } from '../../src/template/stage-stack';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-lint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const decl = validateDeclarations({
  batches: [
    { ...BATCH, vpc: true },
    { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts', schedule: 'rate(7 days)', input: { a: 1 } },
    // EventBridge Scheduler shapes: every option, and a one-time run.
    { ...BATCH, name: 'local-job', timezone: 'America/New_York', flexibleWindowMinutes: 15, startDate: '2027-01-01T00:00:00-05:00', endDate: '2027-12-31T00:00:00-05:00', deliveryRetryAttempts: 10 },
    { ...BATCH, name: 'once-job', timezone: 'Europe/Berlin', schedule: 'at(2027-06-01T09:00:00)', enabled: false },
    // Per-stage overrides: every field a parameter, a variable only the stage adds, a one-time run switched on.
    {
      ...BATCH,
      name: 'staged-job',
      vpc: true,
      environment: { URL: 'https://x.${AWS::Region}.example.com' },
      overrides: {
        prod: {
          schedule: 'rate(5 minutes)', enabled: false, timezone: 'UTC', memorySize: 1024, timeout: 900, reservedConcurrency: false, environment: { URL: 'https://y.example.com', NEW_ONE: 'z' },
        },
      },
    },
    { ...BATCH, name: 'staged-once', timezone: 'Europe/Berlin', schedule: 'at(2027-06-01T09:00:00)', enabled: false, overrides: { prod: { enabled: true, timezone: 'Asia/Seoul' } } },
  ],
  stages: [STAGE],
}, { fileExists });
const templates = batchTemplates(decl.batches);
// The stage stack's template (its alarm topic, key and subscriptions) beside the batch templates.
const goodFiles = Object.entries({ ...templates, stage: stageTemplate(decl) }).map(([name, t]) => {
  const file = path.join(dir, `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify(t, null, 2));
  return file;
});

// A generated template broken three ways: a misspelled property, a runtime that does not exist,
// and a schedule expression EventBridge rejects.
const broken = JSON.parse(JSON.stringify(templates['daily-stats']));
broken.Resources.Function.Properties.MemorySizee = broken.Resources.Function.Properties.MemorySize;
delete broken.Resources.Function.Properties.MemorySize;
broken.Resources.Function.Properties.Runtime = 'nodejs99.x';
broken.Resources.Schedule.Properties.ScheduleExpression = 'every day at 3';
const brokenDir = path.join(dir, 'broken');
fs.mkdirSync(brokenDir);
const brokenFile = path.join(brokenDir, 'broken.template.json');
fs.writeFileSync(brokenFile, JSON.stringify(broken, null, 2));

const engines = hasCfnLint() ? (['cfn-lint', 'offline'] as const) : (['offline'] as const);

describe.each(engines)('lint:cfn with %s', (engine) => {
  test('passes the generated templates with no error and no warning', () => {
    const result = lintTemplates(goodFiles, { engine });
    expect(result.engine).toBe(engine);
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test('fails a broken template and says what is wrong', () => {
    const result = lintTemplates([brokenFile], { engine });
    expect(result.ok).toBe(false);
    const text = formatLintResult(result);
    expect(text).toContain('FAILED');
    expect(text).toMatch(/MemorySizee/);
    expect(text).toMatch(/nodejs99\.x/);
  });
});

describe('lint:cfn with the real cfn-lint', () => {
  (hasCfnLint() ? test : test.skip)('also catches the bad schedule expression', () => {
    const result = lintTemplates([brokenFile], { engine: 'cfn-lint' });
    expect(result.findings.map((f) => f.message).join('\n')).toMatch(/every day at 3/);
  });
});

describe('findTemplates', () => {
  test('expands a directory to its *.template.json files, sorted', () => {
    expect(findTemplates(dir)).toEqual(goodFiles.sort());
  });
  test('says how to fix a missing directory', () => {
    expect(() => findTemplates(path.join(dir, 'nope'))).toThrow(/run "npx projen"/);
  });
});
