// The offline validator (what lint:cfn runs where cfn-lint is not installed) on every template shape
// batchform generates: this repository's cfn-out/ and the shapes it lacks. A warning fails
// `npx projen build`, and the user can change none of these templates.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findTemplates, formatLintResult, lintTemplates } from '../../src/lint/cfn-lint';
import { batchTemplates } from '../../src/template/batch-template';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;

const STAGING = { ...STAGE, name: 'staging', account: '444455556666', region: 'eu-west-1', artifactBucket: 'batchform-artifacts-444455556666-eu-west-1' };
const DURABLE = { executionTimeout: 6 * 3600 };
const decl = validateDeclarations({
  stages: [STAGE, STAGING],
  batches: [
    // UTC, on an EventBridge rule.
    { ...BATCH, name: 'utc-rule' },
    // A time zone, on EventBridge Scheduler.
    { ...BATCH, name: 'zoned-scheduler', timezone: 'Asia/Seoul', flexibleWindowMinutes: 15 },
    // Switched off in one stage (its schedule state a stage parameter).
    { ...BATCH, name: 'off-in-staging', overrides: { staging: { enabled: false } } },
    // The failed-run alarm after 3 failures and a duration alarm.
    { ...BATCH, name: 'bounded', timeout: 300, maxDuration: 120, failureAlarmAfter: 3 },
    { ...BATCH, name: 'zoned-off-in-prod', timezone: 'Europe/Berlin', schedule: 'rate(1 hour)', overrides: { prod: { enabled: false, timezone: 'Asia/Seoul' } } },
    // Durable: a retained version behind the live alias, and a starter; on a rule and on Scheduler.
    { ...BATCH, name: 'utc-durable', timeout: 900, durable: DURABLE },
    { ...BATCH, name: 'zoned-durable', timezone: 'Asia/Seoul', schedule: 'cron(10 0 1 * ? *)', vpc: true, durable: DURABLE },
    // Secrets by reference: read grants on a parameter and a secret, decrypt with a key through SSM only.
    {
      ...BATCH,
      name: 'with-secrets',
      secrets: {
        DB_PASSWORD: { source: 'secretsManager', name: 'prod/db', field: 'password' },
        API_KEY: { source: 'ssm', name: '/app/api-key', kmsKeyArn: 'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      },
    },
  ],
}, { fileExists });
const templates = batchTemplates(decl.batches) as Record<string, Json>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-offline-lint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const files = Object.entries(templates).map(([name, t]) => {
  const file = path.join(dir, `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify(t, null, 2));
  return file;
});

const noErrorsOrWarnings = (found: ReturnType<typeof lintTemplates>) => found.findings.filter((f) => f.severity !== 'info');

describe('the offline validator passes every generated template shape', () => {
  test('the shapes include a metric-math failed-run alarm, a duration alarm, and a retained durable version (which warned before)', () => {
    for (const t of Object.values(templates)) expect(t.Resources.FailedRunAlarm.Properties.Metrics.map((m: Json) => m.Id)).toEqual(['failures', 'recorded', 'errors', 'failing']);
    expect(templates.bounded.Resources.LongRunAlarm.Properties.Threshold).toBe(120_000);
    for (const name of ['utc-durable', 'zoned-durable']) {
      expect(templates[name].Resources.Version).toMatchObject({ UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Retain' });
    }
    expect(templates['utc-rule'].Resources.Schedule.Type).toBe('AWS::Events::Rule');
    expect(templates['zoned-scheduler'].Resources.LocalTimeSchedule.Type).toBe('AWS::Scheduler::Schedule');
  });

  test('generated shapes: 0 errors, 0 warnings', () => {
    const result = lintTemplates(files, { engine: 'offline' });
    expect(result.engine).toBe('offline');
    expect(noErrorsOrWarnings(result)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test("this repository's cfn-out/ templates: 0 errors, 0 warnings", () => {
    const cfnOut = findTemplates(path.join(__dirname, '../../cfn-out'));
    expect(cfnOut.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['bootstrap.template.json', 'monthly-recompute.template.json']));
    const result = lintTemplates(cfnOut, { engine: 'offline' });
    expect(noErrorsOrWarnings(result)).toEqual([]);
  });
});

describe('lint:cfn says which linter ran', () => {
  test('the offline validator, and how to get cfn-lint when it is missing', () => {
    const result = lintTemplates([], { cfnLintCommand: path.join(dir, 'no-such-cfn-lint') });
    expect([result.engine, result.cfnLintMissing]).toEqual(['offline', true]);
    const text = formatLintResult(result);
    expect(text).toContain('lint:cfn (offline validator of aws-cdk-lib): 0 template(s), 0 error(s), 0 warning(s)');
    expect(text).toContain('cfn-lint is not on PATH');
    expect(text).toContain('pipx install cfn-lint');
  });

  test('the offline validator when asked for: no claim that cfn-lint is missing', () => {
    const text = formatLintResult(lintTemplates([], { engine: 'offline' }));
    expect(text).toContain('the offline validator ran, as asked');
    expect(text).not.toContain('not on PATH');
  });

  test('cfn-lint: named, with no install hint', () => {
    const text = formatLintResult({ engine: 'cfn-lint', templates: ['a.template.json'], findings: [], ok: true });
    expect(text).toBe('lint:cfn (cfn-lint): 1 template(s), 0 error(s), 0 warning(s)');
  });
});
