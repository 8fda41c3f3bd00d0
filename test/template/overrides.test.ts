import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { lintTemplates } from '../../src/lint/cfn-lint';
import { buildManifest } from '../../src/manifest/manifest';
import { batchForStage } from '../../src/model/stage-overrides';
import { batchTemplates } from '../../src/template/batch-template';
import { stageParameterValues } from '../../src/template/stage-parameters';
import { validateDeclarations } from '../../src/validate/validate';
import { BATCH, fileExists, STAGE } from '../fixtures';

type Json = Record<string, any>;

const STAGING = { ...STAGE, name: 'staging', account: '444455556666', region: 'eu-west-1', artifactBucket: 'batchform-artifacts-444455556666-eu-west-1' };
const decl = validateDeclarations({
  stages: [STAGE, STAGING],
  batches: [
    // UTC, on an EventBridge rule: staging runs weekly, disabled, with its own bucket and more memory.
    {
      ...BATCH,
      environment: { MODE: 'full', REPORT_BUCKET: 'reports-prod' },
      reservedConcurrency: 1,
      overrides: {
        staging: { schedule: 'cron(0 3 ? * MON *)', enabled: false, environment: { REPORT_BUCKET: 'reports-${AWS::Region}', EXTRA: 'on' }, memorySize: 1024, timeout: 600, reservedConcurrency: false },
      },
    },
    // A time zone, on EventBridge Scheduler: staging runs hourly in Berlin.
    {
      ...BATCH,
      name: 'local-job',
      timezone: 'Asia/Seoul',
      schedule: 'cron(0 9 * * ? *)',
      overrides: {
        staging: { schedule: 'rate(1 hour)', timezone: 'Europe/Berlin' },
      },
    },
    // No overrides: the template is as it always was.
    { ...BATCH, name: 'plain-job' },
  ],
}, { fileExists });
const templates = batchTemplates(decl.batches) as Record<string, Json>;
const manifest = buildManifest(decl, 'cfn-out');
const stacksOf = (stage: string) => Object.fromEntries(manifest.stages.find((s) => s.name === stage)!.stacks.map((s) => [s.batch, s]));
const prod = stacksOf('prod');
const staging = stacksOf('staging');

describe('per-stage overrides', () => {
  test('batchForStage gives the batch as one stage runs it: overridden fields replaced, environment merged', () => {
    const daily = decl.batches[0];
    const s = batchForStage(daily, 'staging');
    expect([s.schedule.expression, s.enabled, s.memorySize, s.timeout, s.reservedConcurrency]).toEqual(['cron(0 3 ? * MON *)', false, 1024, 600, false]);
    expect(s.environment).toEqual({ MODE: 'full', REPORT_BUCKET: 'reports-${AWS::Region}', EXTRA: 'on' });
    expect(batchForStage(daily, 'prod')).toBe(daily);
    // The same function on the manifest's batches (what the CLI reads).
    const m = batchForStage(manifest.batches[1], 'staging');
    expect([m.schedule, m.timezone]).toEqual(['rate(1 hour)', 'Europe/Berlin']);
    expect(batchForStage(manifest.batches[1], 'prod').schedule).toBe('cron(0 9 * * ? *)');
  });

  test('the template takes each overridden value as a parameter, used by the rule and the function', () => {
    const t = templates['daily-stats'];
    expect(Object.keys(t.Parameters)).toEqual(expect.arrayContaining(['ScheduleExpression', 'ScheduleState', 'MemorySize', 'Timeout', 'ReservedConcurrency', 'EnvReportBucket', 'EnvExtra']));
    expect(t.Parameters.ScheduleState.AllowedValues).toEqual(['ENABLED', 'DISABLED']);
    expect(t.Parameters).not.toHaveProperty('ScheduleTimezone');
    expect(t.Parameters).not.toHaveProperty('EnvMode');
    const rule = t.Resources.Schedule.Properties;
    expect(rule.ScheduleExpression).toEqual({ Ref: 'ScheduleExpression' });
    expect(rule.State).toEqual({ Ref: 'ScheduleState' });
    expect(rule.Description).toEqual({ 'Fn::Sub': 'Runs batchform batch daily-stats: ${ScheduleExpression} (UTC)' });
    const fn = t.Resources.Function.Properties;
    expect([fn.MemorySize, fn.Timeout]).toEqual([{ Ref: 'MemorySize' }, { Ref: 'Timeout' }]);
    expect(fn.ReservedConcurrentExecutions).toEqual({ 'Fn::If': ['ReservesConcurrency', { Ref: 'ReservedConcurrency' }, { Ref: 'AWS::NoValue' }] });
    expect(fn.Environment.Variables).toMatchObject({ MODE: 'full', REPORT_BUCKET: { Ref: 'EnvReportBucket' }, BATCHFORM_TIMEZONE: 'UTC' });
    // EXTRA exists only in staging: prod passes "" and the variable is left out there.
    expect(fn.Environment.Variables.EXTRA).toEqual({ 'Fn::If': ['SetsEnvExtra', { Ref: 'EnvExtra' }, { Ref: 'AWS::NoValue' }] });
    expect(t.Conditions.SetsEnvExtra).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'EnvExtra' }, ''] }] });
    // The failed-run alarm's period covers the longest timeout of any stage (600 s).
    const periods = (t.Resources.FailedRunAlarm.Properties.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Period);
    expect(periods).toEqual([600, 600, 600]);
  });

  test('the manifest gives each stage its own values: schedule, enabled state, environment, sizes', () => {
    expect(prod['daily-stats'].parameters).toMatchObject({
      ScheduleExpression: 'cron(10 15 * * ? *)',
      ScheduleState: 'ENABLED',
      MemorySize: '256',
      Timeout: '60',
      ReservedConcurrency: '1',
      EnvReportBucket: 'reports-prod',
      EnvExtra: '',
    });
    expect(staging['daily-stats'].parameters).toMatchObject({
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      ScheduleState: 'DISABLED',
      MemorySize: '1024',
      Timeout: '600',
      ReservedConcurrency: '0',
      // CloudFormation does not substitute inside parameter values: the placeholder is filled per stage.
      EnvReportBucket: 'reports-eu-west-1',
      EnvExtra: 'on',
    });
    // Every parameter the manifest passes is declared, and every declared one without a default is passed.
    for (const stack of [prod['daily-stats'], staging['daily-stats'], prod['local-job'], staging['local-job']]) {
      const declared = templates[stack.batch].Parameters as Json;
      expect(Object.keys(stack.parameters).filter((p) => !(p in declared))).toEqual([]);
      expect(Object.keys(declared).filter((p) => declared[p].Default === undefined && !(p in stack.parameters) && p !== 'CodeS3Key')).toEqual([]);
    }
    expect(manifest.batches[0].overrides).toEqual({
      staging: { schedule: 'cron(0 3 ? * MON *)', enabled: false, environment: { REPORT_BUCKET: 'reports-${AWS::Region}', EXTRA: 'on' }, memorySize: 1024, timeout: 600, reservedConcurrency: false },
    });
    expect(manifest.batches[2].overrides).toBeUndefined();
  });

  test('the missed-run alarm is the same in every stage (the watchdog follows each stage\'s schedule, zone and state): no stage parameter', () => {
    for (const name of ['daily-stats', 'local-job']) {
      const t = templates[name];
      expect(t.Resources.MissedRunAlarm.Properties).toMatchObject({
        Namespace: 'batchform', MetricName: 'RunMissed', Dimensions: [{ Name: 'Stack', Value: { Ref: 'AWS::StackName' } }],
      });
      expect(t.Resources.MissedRunAlarm.Condition).toBeUndefined();
      expect(Object.keys(t.Parameters).filter((p) => p.startsWith('MissedRun'))).toEqual([]);
    }
    expect(Object.keys(staging['daily-stats'].parameters).filter((p) => p.startsWith('MissedRun'))).toEqual([]);
  });

  test('a Scheduler batch takes its zone per stage, in the schedule and in BATCHFORM_TIMEZONE', () => {
    const t = templates['local-job'];
    const schedule = t.Resources.LocalTimeSchedule.Properties;
    expect(schedule.ScheduleExpressionTimezone).toEqual({ Ref: 'ScheduleTimezone' });
    expect(schedule.ScheduleExpression).toEqual({ Ref: 'ScheduleExpression' });
    expect(schedule.State).toBe('ENABLED');
    expect(t.Resources.Function.Properties.Environment.Variables.BATCHFORM_TIMEZONE).toEqual({ Ref: 'ScheduleTimezone' });
    expect(t.Resources).not.toHaveProperty('Schedule');
    expect(prod['local-job'].parameters).toMatchObject({ ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleTimezone: 'Asia/Seoul' });
    expect(staging['local-job'].parameters).toMatchObject({ ScheduleExpression: 'rate(1 hour)', ScheduleTimezone: 'Europe/Berlin' });
  });

  test('a batch without overrides gets no stage parameter', () => {
    const t = templates['plain-job'];
    expect(Object.keys(t.Parameters).sort()).toEqual(['AlarmTopicArn', 'CodeS3Bucket', 'CodeS3Key', 'CodeS3ObjectVersion', 'LedgerRetentionDays', 'LedgerTableName', 'PermissionsBoundaryArn']);
    expect(t.Resources.Schedule.Properties.ScheduleExpression).toBe('cron(10 15 * * ? *)');
    expect(stageParameterValues(decl.batches[2], decl.stages[1])).toEqual({});
    expect(Object.keys(staging['plain-job'].parameters).sort()).toEqual(['AlarmTopicArn', 'CodeS3Bucket', 'LedgerRetentionDays', 'LedgerTableName', 'PermissionsBoundaryArn']);
  });

  test('a batch disabled in every stage has no missed-run alarm; one a stage enables has it', () => {
    const off = validateDeclarations({ stages: [STAGE, STAGING], batches: [{ ...BATCH, enabled: false, overrides: { staging: { schedule: 'rate(1 day)' } } }] }, { fileExists });
    expect((batchTemplates(off.batches)[BATCH.name] as Json).Resources).not.toHaveProperty('MissedRunAlarm');
    const enabledInStaging = { ...BATCH, enabled: false, overrides: { staging: { enabled: true } } };
    const some = validateDeclarations({ stages: [STAGE, STAGING], batches: [enabledInStaging] }, { fileExists });
    expect((batchTemplates(some.batches)[BATCH.name] as Json).Resources.MissedRunAlarm.Properties.MetricName).toBe('RunMissed');
    expect(buildManifest(some, 'cfn-out').stages[0].stacks[0].parameters).toMatchObject({ ScheduleState: 'DISABLED' });
  });

  test('templates with overrides pass cfn-lint with no error and no warning, and cdk-nag', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-overrides-'));
    try {
      const files = ['daily-stats', 'local-job'].map((n) => {
        const file = path.join(dir, `${n}.template.json`);
        fs.writeFileSync(file, JSON.stringify(templates[n], null, 2));
        return file;
      });
      const result = lintTemplates(files, { engine: 'auto' });
      expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(result.ok).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => batchTemplates(decl.batches, (app: App) => Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))).not.toThrow();
  });
});
